import pytest

from shared.fargate import VALID_MEMORY_BY_CPU, size_problem


@pytest.mark.parametrize("cpu, memory", [(256, 512), (512, 1024), (1024, 2048), (2048, 4096), (4096, 30720),
                                         (8192, 16384), (16384, 122880)])
def test_valid_fargate_sizes(cpu, memory):
    assert size_problem(cpu, memory) is None


@pytest.mark.parametrize("cpu, memory, expected", [
    (300, 1024, "cpu 300 is not a Fargate size"),
    (512, 512, "memory 512 is not valid with cpu 512; valid: 1024..4096"),
    (8192, 17408, "memory 17408 is not valid with cpu 8192"),  # 8 vCPU steps by 4 GiB
])
def test_invalid_sizes_name_the_valid_range_and_source(cpu, memory, expected):
    problem = size_problem(cpu, memory)
    assert expected in problem and "fargate-tasks-size" in problem


def test_table_matches_the_documented_ranges():
    assert VALID_MEMORY_BY_CPU[256] == (512, 1024, 2048)
    assert len(VALID_MEMORY_BY_CPU[4096]) == (30720 - 8192) // 1024 + 1


# Written by hand from https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html
# #fargate-tasks-size (Linux): cpu -> (lowest memory, highest memory, step), all in MiB. Not derived from
# VALID_MEMORY_BY_CPU, so a changed bound or step in shared/fargate.py fails here.
DOCUMENTED_SIZES = {
    256: (512, 2048, None),  # 512 MiB, 1 GB, 2 GB
    512: (1024, 4096, 1024),
    1024: (2048, 8192, 1024),
    2048: (4096, 16384, 1024),
    4096: (8192, 30720, 1024),
    8192: (16384, 61440, 4096),
    16384: (32768, 122880, 8192),
}


def test_every_cpu_size_is_documented():
    assert sorted(VALID_MEMORY_BY_CPU) == sorted(DOCUMENTED_SIZES)


@pytest.mark.parametrize("cpu, bounds", sorted(DOCUMENTED_SIZES.items()))
def test_bottom_top_and_step_of_each_cpu_are_pinned(cpu, bounds):
    low, high, step = bounds
    valid = VALID_MEMORY_BY_CPU[cpu]
    assert (valid[0], valid[-1]) == (low, high)
    if step is not None:
        assert valid == tuple(range(low, high + 1, step))
    assert size_problem(cpu, low) is None and size_problem(cpu, high) is None


@pytest.mark.parametrize("cpu, memory", [
    (256, 256), (256, 3072),
    (512, 512), (512, 5120),
    (1024, 1024), (1024, 9216),
    (2048, 3072), (2048, 17408),
    (4096, 7168), (4096, 31744),
    (8192, 12288), (8192, 65536), (8192, 20480 - 1024),
    (16384, 24576), (16384, 131072), (16384, 40960 - 4096),
])
def test_one_step_outside_each_range_is_refused(cpu, memory):
    assert f"memory {memory} is not valid with cpu {cpu}" in size_problem(cpu, memory)

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

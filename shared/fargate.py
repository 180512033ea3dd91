"""Valid Fargate task sizes (Linux), kept as data with their source.

Source: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
"""
from __future__ import annotations

SOURCE = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size"

# cpu units -> valid memory (MiB)
VALID_MEMORY_BY_CPU: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}


def size_problem(cpu: int, memory: int) -> str | None:
    """Why (cpu, memory) is not a Fargate size, or None when it is."""
    if cpu not in VALID_MEMORY_BY_CPU:
        return f"cpu {cpu} is not a Fargate size; valid: {sorted(VALID_MEMORY_BY_CPU)} ({SOURCE})"
    valid = VALID_MEMORY_BY_CPU[cpu]
    if memory not in valid:
        return f"memory {memory} is not valid with cpu {cpu}; valid: {valid[0]}..{valid[-1]} as {valid} ({SOURCE})"
    return None

"""The curlrl program for the Python tests: CMake passes its path in CURLRL_BIN (default build/curlrl)."""
import os
import subprocess

BIN = os.environ.get("CURLRL_BIN", "build/curlrl")


def curlrl(*args, check=True):
    """Runs `curlrl ARGS...`; with check, a non-zero exit fails the test with curlrl's stderr."""
    r = subprocess.run([BIN, *args], capture_output=True, text=True)
    if check and r.returncode != 0:
        raise AssertionError(f"curlrl {' '.join(args)} failed ({r.returncode}): {r.stderr}")
    return r

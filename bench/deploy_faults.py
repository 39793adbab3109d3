"""The shipped deploy/ configuration under faults (tests/test_deploy_connections.py, run here for
its figures): the most PostgreSQL connections under 200 concurrent clients, and the longest
request during a 20 s silent partition (needs root for the network namespace; else skipped)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    env = {**os.environ, "DB": "postgres", "TEST_DATABASE_URL": os.environ["DATABASE_URL"]}
    run = subprocess.run(
        [
            str(ROOT / "bin" / "test"),
            "tests/test_deploy_connections.py",
            "-k",
            "200_clients or partition",
            "-s",
            "-q",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in run.stdout.splitlines() if "bench: deploy." in line]
    for line in lines:
        print(line[line.index("bench: ") :])
    if run.returncode != 0:
        print(run.stdout[-3000:], file=sys.stderr)
        sys.exit(run.returncode)


if __name__ == "__main__":
    main()

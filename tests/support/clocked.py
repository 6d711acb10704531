"""Run a Python program on the test suite's clock (tests/clock.py).

    python -m tests.support.clocked -m celery -A tracking worker ...
    python -m tests.support.clocked -c "import django; ..."

The offset in TESTS_CLOCK_OFFSET (seconds between the suite's clock and the machine's, taken
when the process is started) is applied with time-machine before the program runs, so the
child's `timezone.now()` and the test's agree to the millisecond, ticking together.
"""

import os
import runpy
import sys
import time

import time_machine


def main() -> None:
    offset = float(os.environ["TESTS_CLOCK_OFFSET"])
    time_machine.travel(time.time() + offset, tick=True).start()
    mode, target, *rest = sys.argv[1:]
    if mode == "-m":
        sys.argv = [target, *rest]
        runpy.run_module(target, run_name="__main__", alter_sys=True)
    elif mode == "-c":
        sys.argv = ["-c", *rest]
        exec(compile(target, "<string>", "exec"), {"__name__": "__main__"})
    else:
        raise SystemExit(f"usage: python -m tests.support.clocked (-m module | -c code) [args]: got {mode!r}")


if __name__ == "__main__":
    main()

"""venv.sh refuses a Python older than the code needs, with a clear message."""

import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def test_an_old_python_is_refused_before_anything_is_installed(tmp_path):
    """With python3 older than 3.11, ensure_venv fails with one message naming
    the version needed and found, and creates no venv."""
    shutil.copy(HERE / "requirements.txt", tmp_path)
    shims = tmp_path / "bin"
    shims.mkdir()
    (shims / "python3").write_text("#!/bin/sh\necho 3.9\n")
    (shims / "python3").chmod(0o755)
    result = subprocess.run(
        ["bash", "-c", f'source "{HERE}/venv.sh" && ensure_venv "{tmp_path}"'],
        env={"PATH": f"{shims}:/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert result.stderr == "local-aws: needs Python >= 3.11 as python3 (found: 3.9)\n"
    assert not (tmp_path / ".venv").exists()

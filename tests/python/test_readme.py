"""README's Python example runs as printed and prints what README says it prints."""

import re
import subprocess
import sys

from conftest import ROOT


def test_the_readme_python_example_runs_and_prints_what_readme_shows():
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Python") :]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    shown = re.search(r"prints `([^`]*)`", section.replace("\n", " ")).group(1)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == shown.split()

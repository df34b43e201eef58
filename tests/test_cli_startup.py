"""`campaign --help` must not import heavy libraries (timing itself is a benchmark, in bench/)."""

import subprocess
import sys

HEAVY = ("PIL", "pydantic", "tweepy", "mastodon", "atproto", "trafilatura", "rich", "jinja2", "yaml",
         "starlette", "uvicorn")


def test_help_imports_no_heavy_library():
    code = (
        "import sys; from campaign.cli import cli\n"
        "try:\n    cli(['--help'], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(out.stdout.split())
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_python_m_campaign_and_version():
    out = subprocess.run([sys.executable, "-m", "campaign", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and "campaign" in out.stdout

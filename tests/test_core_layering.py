import subprocess
import sys


def test_models_and_reports_load_no_qt():
    code = ("import sys, neiqin.models, neiqin.reports, neiqin.db, neiqin.cli;"
            "import neiqin.models.demo, neiqin.models.visitors, neiqin.models.staff;"
            "qt=[m for m in sys.modules if m.startswith('PySide6')];"
            "print(qt); sys.exit(1 if qt else 0)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr

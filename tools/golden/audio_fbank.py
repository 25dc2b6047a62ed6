"""Goldens for axlearn-audio's WAV reader, resampler and Kaldi fbank front end.

Reference: torchaudio.load, torchaudio.functional.resample and torchaudio.compliance.kaldi.fbank
(Debian python3-torchaudio, installed with apt-get when missing) on the five LibriVox clips of
Debian's pocketsphinx-testdata (copied to axlearn-audio/src/test/resources/librivox/ by this
script) and on a clip spoken by espeak-ng at its native 22,050 Hz. Run:

    /usr/bin/python3 tools/golden/audio_fbank.py
"""
import glob
import os
import shutil
import subprocess

from golden_common import ROOT, golden_dir, save


def ensure(packages):
    missing = [p for p in packages
               if subprocess.run(["dpkg", "-s", p], capture_output=True).returncode != 0]
    if missing:
        subprocess.run(["apt-get", "install", "-y", "-qq"] + missing, check=True)


ensure(["python3-torchaudio", "pocketsphinx-testdata", "espeak-ng"])
import torch  # noqa: E402
import torchaudio  # noqa: E402
from torchaudio.compliance import kaldi  # noqa: E402

RESOURCES = os.path.join(ROOT, "axlearn-audio", "src", "test", "resources")
LIBRIVOX = os.path.join(RESOURCES, "librivox")
SOURCE = "/usr/share/pocketsphinx/test/data/librivox"


def copy_clips():
    os.makedirs(LIBRIVOX, exist_ok=True)
    for f in sorted(glob.glob(os.path.join(SOURCE, "*.wav"))) + [os.path.join(SOURCE, "transcription")]:
        shutil.copy(f, LIBRIVOX)
    return sorted(glob.glob(os.path.join(LIBRIVOX, "*.wav")))


def fbank_goldens(clips):
    out = golden_dir("axlearn-audio", "KaldiFbankTest")
    for i, clip in enumerate(clips):
        wave, rate = torchaudio.load(clip)
        # Kaldi reads 16-bit samples as integers: scale [-1, 1) back to that range. float64: in
        # float32, torchaudio's own 80-bin output is 7e-4 relative off its float64 one in quiet
        # bins, so float64 is the reference (KaldiFbank computes in float64 too).
        feats = kaldi.fbank(wave.double() * 32768.0, sample_frequency=rate).float()
        meta = {"file": os.path.basename(clip), "numMelBins": 23}
        tensors = {"outputs/fbank": feats}
        if i == 1:  # one clip's samples, to check the WAV reader against torchaudio.load
            tensors["inputs/wave"] = wave[0]
        save(os.path.join(out, "librivox%d.safetensors" % i), tensors, meta)
    wave, rate = torchaudio.load(clips[1])
    feats = kaldi.fbank(wave.double() * 32768.0, sample_frequency=rate, num_mel_bins=80).float()
    save(os.path.join(out, "mel80.safetensors"), {"outputs/fbank": feats},
         {"file": os.path.basename(clips[1]), "numMelBins": 80})


def resample_golden():
    clip = os.path.join(RESOURCES, "espeak-22050.wav")
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", clip, "four zero seven"], check=True)
    wave, rate = torchaudio.load(clip)
    assert rate == 22050, rate
    out = golden_dir("axlearn-audio", "ResamplerTest")
    tensors = {"inputs/wave": wave[0]}
    for to in (16000, 8000, 44100):
        tensors["outputs/to%d" % to] = torchaudio.functional.resample(wave, rate, to)[0]
    save(os.path.join(out, "espeak.safetensors"), tensors, {"rate": rate})


if __name__ == "__main__":
    torch.manual_seed(0)
    fbank_goldens(copy_clips())
    resample_golden()

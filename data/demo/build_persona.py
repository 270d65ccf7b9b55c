"""Writes Milton's demo persona: `conversations.jsonl` and `eval_questions.jsonl`.

The persona is synthetic and hand-written: Ada Lindqvist, a computational-biology postdoc in Lyon
with concrete preferences (code style, morning-briefing format, diet), routines, people, and a few
planted *fake* secrets that the memory and export filters must catch. Running this script again
reproduces both files byte for byte (no randomness, fixed dates), so the data can be reviewed as
code and regenerated after an edit:

    python data/demo/build_persona.py
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).parent
START = datetime(2026, 9, 1, tzinfo=timezone.utc)  # a Tuesday; conversations span six weeks
USER = "ada"

# Planted fake secrets: realistic shapes that detectors recognise, never real credentials.
# Tests assert that none of these strings survives memory ingestion or training export.
PLANTED_SECRETS = [
    "AKIAZ7XQ4MILTONDEMO2",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYMILTONDEMO1",
    "ghp_4f9Qm2LxVb7Rt1Kc8Zp3Wn6Yd0Hs5Ja9MiLt",
    "sk-proj-Xk29fLmQ83vTz0PwRb47NcYd1HsGe6JuMiltonDemoKey",
    "Rh0ne-Cr0ix-2026!",
    "xoxb-2718281828-3141592653-MiltonDemoSlackTok",
    "p0stgr3s-Ad4-Tr4ce",
    "MIIEowIBAAKCAQEAmiltonDemoFakePrivateKeyMaterialDoNotUse",
]

# --- hand-written conversations --------------------------------------------------------------
# Each entry: (day offset from START, "HH:MM", [(user message, assistant reply), ...]).
# A conversation with several pairs is a real back-and-forth (follow-ups matter for importance).

PERSONAL = [
    (0, "19:05", [
        ("Hi Milton. Some basics so you can help me properly: I'm Ada Lindqvist, a postdoc in "
         "machine learning for single-cell genomics at the Rhône Institute of Computational "
         "Biology in Lyon. I grew up in Uppsala, so Swedish is my first language, but English is "
         "fine with you.",
         "Nice to meet you, Ada. I'll remember that you are a postdoc working on machine learning "
         "for single-cell genomics at the Rhône Institute of Computational Biology in Lyon, and "
         "that you grew up in Uppsala. I'll answer in English unless you ask otherwise."),
    ]),
    (0, "19:12", [
        ("My cat is called Fermat. He's a grey chartreux and he hates the vacuum cleaner.",
         "Noted: your cat Fermat is a grey Chartreux who hates the vacuum cleaner. Chartreux are "
         "usually calm, so a noisy vacuum is a classic trigger; running it while he's in another "
         "room with the door closed often helps."),
    ]),
    (1, "21:40", [
        ("I'm vegetarian, and I'm allergic to peanuts. Keep that in mind whenever you suggest food.",
         "Understood. Every food suggestion from me will be vegetarian and peanut-free. I'll also "
         "flag dishes where peanuts are a common hidden ingredient, such as satay sauces, some "
         "pestos and many energy bars."),
        ("Good. Also no coffee after 14:00 for me, I switch to oolong tea.",
         "Got it: coffee only before 14:00, oolong tea after that. If I suggest an afternoon "
         "break, I'll suggest tea."),
    ]),
    (2, "07:55", [
        ("I run along the Rhône every Tuesday and Saturday at 6:30. Can you suggest a 40-minute "
         "interval session?",
         "Here's a 40-minute session for your Tuesday run: 10 minutes easy warm-up, then 6 x 3 "
         "minutes at a hard but controlled pace with 2 minutes easy jogging between, and 8 minutes "
         "easy cool-down. Keep the hard reps at a pace you could hold for about 5 km."),
    ]),
    (3, "12:30", [
        ("I organise our lab's reading group. It's every Thursday at 16:00 in room B214. This "
         "week we're reading the scVI paper.",
         "Good choice. For the scVI paper (Lopez et al., 2018), useful discussion points are the "
         "zero-inflated negative binomial likelihood, how library size is modelled as a latent "
         "variable, and how the batch covariate enters the decoder. I'll remember the reading "
         "group is on Thursdays at 16:00 in room B214."),
    ]),
    (4, "18:20", [
        ("My partner Tomás is a cellist with the Orchestre National de Lyon. He has a concert "
         "on the 26th, remind me to get there by 19:30.",
         "I'll keep that in mind: Tomás, your partner, plays cello with the Orchestre National de "
         "Lyon, and his concert is on September 26; you want to arrive by 19:30. Since you bike "
         "everywhere, leave Croix-Rousse around 19:05."),
        ("Yes, we live in Croix-Rousse. How did you know I bike?",
         "I didn't know for certain; it was a guess, and I should have asked. Do you usually "
         "cycle to work and around town?"),
        ("I do, I cycle to the institute every day. Fine guess.",
         "Thanks. I'll remember that you cycle to the institute every day and live in "
         "Croix-Rousse, and I'll plan travel times by bike."),
    ]),
    (6, "10:10", [
        ("Sunday yoga class moved to 9:30 from now on.",
         "Noted: your Sunday yoga class is now at 9:30."),
    ]),
    (7, "09:15", [
        ("My advisor is Prof. Hélène Marchand. She wants a one-page project update every second "
         "Monday. Any template?",
         "A one-page update for Prof. Marchand could have four parts: (1) Progress since last "
         "update, three bullets with numbers; (2) One figure with a two-line caption; (3) "
         "Problems and what you need from her; (4) Plan for the next two weeks. Keep it under "
         "400 words so it stays on one page."),
    ]),
    (8, "20:45", [
        ("My sister Ingrid's birthday is on 14 October. She lives in Stockholm and loves "
         "ceramics. Gift ideas?",
         "For Ingrid, who loves ceramics: a voucher for a wheel-throwing workshop in Stockholm, "
         "a book such as 'The Craft and Art of Clay', or a handmade piece from a Lyon studio, "
         "which has a personal touch. Post it by October 7 so it reaches Stockholm in time."),
    ]),
    (9, "16:50", [
        ("I'm mentoring a master's student, Karim. He's working on batch correction benchmarks. "
         "We meet on Wednesdays at 11:00.",
         "Noted: you mentor Karim, a master's student working on batch-correction benchmarks, "
         "with meetings on Wednesdays at 11:00. For his benchmark, the scIB metrics (kBET, "
         "iLISI, cLISI, ARI, NMI) are a good standard to follow."),
    ]),
    (10, "13:05", [
        ("Our GPU cluster is called Ampère, it uses Slurm. I always forget the flag to request "
         "an A100.",
         "On Slurm clusters you usually request a specific GPU type with --gres=gpu:a100:1 (or "
         "--gpus=a100:1 on newer setups). The exact type name depends on how the Ampère admins "
         "defined it; 'sinfo -o \"%G\"' lists the available GRES names."),
    ]),
    (12, "11:30", [
        ("Weekly review is Friday afternoon, 15:00 to 16:00, blocked in my calendar. Don't "
         "schedule anything there.",
         "Understood: Friday 15:00 to 16:00 is your weekly review, and I won't propose anything "
         "in that slot."),
    ]),
    (13, "19:30", [
        ("Fermat has a vet appointment at Clinique Vétérinaire des Pentes on 2 October at 17:45.",
         "Noted: Fermat's vet appointment is on October 2 at 17:45 at Clinique Vétérinaire des "
         "Pentes. Remember to bring his vaccination booklet."),
    ]),
    (15, "08:40", [
        ("I listen to Arvo Pärt when I write. Can you suggest some similar composers?",
         "If you like Arvo Pärt's tintinnabuli style, try Pēteris Vasks, Henryk Górecki "
         "(Symphony No. 3), John Tavener, Valentin Silvestrov and Jóhann Jóhannsson. They share "
         "slow harmonic motion that suits focused writing."),
    ]),
    (17, "21:10", [
        ("My project is called scTrace: a model that infers cell lineage trees from single-cell "
         "RNA-seq plus CRISPR barcodes. We target the ICLR deadline.",
         "Noted: scTrace infers cell lineage trees from single-cell RNA-seq combined with CRISPR "
         "lineage barcodes, and you are targeting ICLR. I can help with the related-work section, "
         "experiments and the writing plan."),
    ]),
    (19, "14:20", [
        ("We'll do a lab dinner next Friday. Suggest a restaurant in Lyon that works for me.",
         "For a vegetarian, peanut-free lab dinner in Lyon: Culina Hortus near Cordeliers is a "
         "fully vegetarian fine-dining place, and Le Kitchen Café is simpler. Tell the restaurant "
         "about the peanut allergy when you book. Friday after 16:00 keeps your weekly review "
         "free."),
    ]),
    (21, "07:20", [
        ("Rainy Tuesday. Skip the run or do it anyway?",
         "Your Tuesday run is a routine worth protecting: if it is only rain and no storm, do a "
         "shorter easy 30 minutes along the Rhône with a cap and a light jacket. If there is "
         "lightning, swap it for 20 minutes of indoor strength work."),
    ]),
    (23, "18:00", [
        ("Tomás and I are going to Uppsala for Christmas to see my mother. Train or plane?",
         "From Lyon to Uppsala, the plane via Stockholm Arlanda takes about 5 hours door to door; "
         "the train takes roughly 24 hours with changes in Paris or Brussels, Hamburg and "
         "Copenhagen, but emits far less CO2. Arlanda is only 20 minutes from Uppsala by train. "
         "With a cello along, check the airline's instrument policy if Tomás brings his."),
    ]),
    (26, "20:30", [
        ("Remember: I prefer metric units and Celsius, always.",
         "Noted: metric units and degrees Celsius in everything I tell you."),
    ]),
    (28, "12:15", [
        ("I switched the reading group to room C108 from next week, same time.",
         "Updated: the reading group stays on Thursdays at 16:00, but from next week it meets in "
         "room C108 instead of B214."),
    ]),
    (31, "09:00", [
        ("Karim's meeting moved to Wednesdays at 14:00 permanently.",
         "Updated: your meetings with Karim are now on Wednesdays at 14:00."),
    ]),
    (34, "17:40", [
        ("Ingrid called, she loved the ceramics workshop voucher!",
         "Wonderful, I'm glad the wheel-throwing workshop voucher was a hit with Ingrid."),
    ]),
    (36, "22:05", [
        ("Fermat is fine, the vet said he should lose 300 g though.",
         "Good news that Fermat is healthy. To help him lose 300 g, measure his food with a "
         "kitchen scale, cut treats, and use a puzzle feeder so he eats more slowly."),
    ]),
    (41, "23:30", [   # said in October about an event in January: "in January" must not hide it
        ("Big news: I'm giving a keynote at Arctic Frontiers in Tromsø in January, on single-cell "
         "atlases of Arctic char.",
         "Congratulations, Ada! A keynote at Arctic Frontiers in Tromsø in January is a great "
         "stage for your Arctic char atlas. Tell me when you want to start on the slides."),
    ]),
    (38, "19:50", [
        ("Plan a vegetarian dinner for 4 on Saturday, Tomás's parents are coming.",
         "A vegetarian, peanut-free menu for four: starter of roasted beetroot with goat cheese "
         "and walnuts; main of mushroom and chestnut bourguignon with mashed potatoes; dessert "
         "of tarte Tatin with crème fraîche. Everything but the mash can be made in the "
         "afternoon."),
    ]),
]

PREFERENCES = [
    (1, "10:00", [
        ("Coding preferences, please remember them: Python 3.11+, type hints on every function, "
         "pathlib instead of os.path, f-strings, and Google-style docstrings.",
         "Noted. Code I write for you will target Python 3.11+, with type hints on every "
         "function, pathlib.Path instead of os.path, f-strings, and Google-style docstrings."),
    ]),
    (2, "10:30", [
        ("For tests I only use pytest, never unittest. And I like small parametrized tests.",
         "Understood: pytest only, with small tests and @pytest.mark.parametrize where several "
         "cases share a shape."),
    ]),
    (3, "09:20", [
        ("For tabular data I prefer polars over pandas, unless a library forces pandas on me.",
         "Noted: I'll use polars for tabular data by default and fall back to pandas only when a "
         "library requires it."),
    ]),
    (4, "08:05", [
        ("Here's how I want my morning briefing, every time: start with 'Good morning, Ada.', "
         "then exactly three sections in this order: Calendar, Papers to read, One focus task. "
         "Bullet points, under 120 words in total.",
         "Understood. Your morning briefing will start with 'Good morning, Ada.' followed by three "
         "sections in this order: Calendar, Papers to read, One focus task, as bullet points and "
         "under 120 words in total."),
    ]),
    (5, "15:30", [
        ("When you show statistics, give 95% bootstrap confidence intervals, not just p-values.",
         "Noted: I'll report effect sizes with 95% bootstrap confidence intervals rather than "
         "p-values alone."),
    ]),
    (7, "17:10", [
        ("Plots: matplotlib, viridis or another colorblind-safe palette, and always label the "
         "axes with units.",
         "Understood: matplotlib figures with viridis (or another colorblind-safe palette), and "
         "axis labels with units every time."),
    ]),
    (9, "09:45", [
        ("Keep answers short unless I ask for detail. I read on my phone a lot.",
         "Noted: short answers by default, details on request."),
    ]),
    (11, "14:00", [
        ("Max line length 100 in my code, and I format with ruff.",
         "Understood: lines up to 100 characters, formatted with ruff."),
    ]),
    (14, "10:05", [
        ("I write papers in LaTeX on Overleaf and manage references with Zotero and Better BibTeX.",
         "Noted: LaTeX on Overleaf, references in Zotero exported with Better BibTeX. I'll give "
         "citation keys in Better BibTeX style when I suggest references."),
    ]),
    (16, "16:40", [
        ("My editor is Neovim with the LazyVim setup.",
         "Noted: Neovim with LazyVim. I'll give keybindings and config snippets for that setup."),
    ]),
]

CODE = [
    (2, "11:15", [
        ("Write a function that loads all the .h5ad files in a folder into a list of AnnData "
         "objects.",
         "```python\nfrom pathlib import Path\n\nimport anndata as ad\n\n\ndef load_h5ad_folder("
         "folder: Path) -> list[ad.AnnData]:\n    \"\"\"Load every .h5ad file in a folder.\n\n"
         "    Args:\n        folder: Directory that holds the .h5ad files.\n\n    Returns:\n"
         "        One AnnData object per file, sorted by file name.\n    \"\"\"\n    paths = "
         "sorted(Path(folder).glob(\"*.h5ad\"))\n    if not paths:\n        raise "
         "FileNotFoundError(f\"No .h5ad files in {folder}\")\n    return [ad.read_h5ad(p) for p "
         "in paths]\n```"),
    ]),
    (3, "14:45", [
        ("Write a pytest test for a function normalize_counts(x) that scales each row to sum to "
         "1e4.",
         "```python\nimport numpy as np\nimport pytest\n\nfrom sctrace.preprocess import "
         "normalize_counts\n\n\n@pytest.mark.parametrize(\"n_cells\", [1, 5, 100])\ndef "
         "test_rows_sum_to_target(n_cells: int) -> None:\n    rng = np.random.default_rng(0)\n"
         "    x = rng.poisson(3.0, size=(n_cells, 50)).astype(float) + 1\n    out = "
         "normalize_counts(x)\n    np.testing.assert_allclose(out.sum(axis=1), 1e4)\n```"),
    ]),
    (5, "10:25", [
        ("Polars: group a dataframe of cells by cluster and compute mean and median of n_genes.",
         "```python\nimport polars as pl\n\n\ndef cluster_gene_stats(cells: pl.DataFrame) -> "
         "pl.DataFrame:\n    \"\"\"Mean and median n_genes per cluster.\"\"\"\n    return (\n"
         "        cells.group_by(\"cluster\")\n        .agg(\n            pl.col(\"n_genes\")."
         "mean().alias(\"mean_genes\"),\n            pl.col(\"n_genes\").median().alias("
         "\"median_genes\"),\n        )\n        .sort(\"cluster\")\n    )\n```"),
    ]),
    (6, "16:00", [
        ("Write a bootstrap confidence interval function for the difference of two means.",
         "```python\nimport numpy as np\n\n\ndef bootstrap_diff_ci(\n    a: np.ndarray, b: "
         "np.ndarray, n_boot: int = 10_000, level: float = 0.95, seed: int = 0\n) -> "
         "tuple[float, float, float]:\n    \"\"\"Difference of means with a percentile bootstrap "
         "CI.\n\n    Returns:\n        (difference, lower bound, upper bound).\n    \"\"\"\n"
         "    rng = np.random.default_rng(seed)\n    diffs = np.array([\n        rng.choice(a, "
         "a.size).mean() - rng.choice(b, b.size).mean() for _ in range(n_boot)\n    ])\n    "
         "alpha = (1 - level) / 2\n    lo, hi = np.quantile(diffs, [alpha, 1 - alpha])\n    "
         "return float(a.mean() - b.mean()), float(lo), float(hi)\n```"),
        ("Can you vectorise the loop?",
         "```python\n    ia = rng.integers(0, a.size, size=(n_boot, a.size))\n    ib = "
         "rng.integers(0, b.size, size=(n_boot, b.size))\n    diffs = a[ia].mean(axis=1) - "
         "b[ib].mean(axis=1)\n```\nThis uses n_boot x n memory; for very large arrays, process "
         "the resamples in chunks of 1,000."),
    ]),
    (8, "11:50", [
        ("Plot a UMAP embedding coloured by cluster, my style.",
         "```python\nfrom pathlib import Path\n\nimport matplotlib.pyplot as plt\nimport numpy as "
         "np\n\n\ndef plot_umap(coords: np.ndarray, clusters: np.ndarray, out: Path) -> None:\n"
         "    \"\"\"Scatter a 2-D UMAP embedding coloured by cluster and save it.\"\"\"\n    fig, "
         "ax = plt.subplots(figsize=(5, 5))\n    sc = ax.scatter(coords[:, 0], coords[:, 1], "
         "c=clusters, cmap=\"viridis\", s=2)\n    ax.set_xlabel(\"UMAP 1 (a.u.)\")\n    "
         "ax.set_ylabel(\"UMAP 2 (a.u.)\")\n    fig.colorbar(sc, ax=ax, label=\"cluster\")\n"
         "    fig.savefig(out, dpi=200, bbox_inches=\"tight\")\n```"),
    ]),
    (10, "15:10", [
        ("A dataclass for training config with lr, batch size, epochs and an output path, "
         "loadable from TOML.",
         "```python\nimport tomllib\nfrom dataclasses import dataclass\nfrom pathlib import Path"
         "\n\n\n@dataclass(frozen=True)\nclass TrainConfig:\n    lr: float = 3e-4\n    "
         "batch_size: int = 64\n    epochs: int = 20\n    out_dir: Path = Path(\"runs\")\n\n"
         "    @classmethod\n    def from_toml(cls, path: Path) -> \"TrainConfig\":\n        "
         "\"\"\"Read a config from a TOML file.\"\"\"\n        data = tomllib.loads(Path(path)."
         "read_text())\n        if \"out_dir\" in data:\n            data[\"out_dir\"] = "
         "Path(data[\"out_dir\"])\n        return cls(**data)\n```"),
    ]),
    (11, "10:40", [
        ("Write a Slurm batch script to train scTrace on one A100 for 12 hours on Ampère.",
         "```bash\n#!/bin/bash\n#SBATCH --job-name=sctrace\n#SBATCH --gres=gpu:a100:1\n#SBATCH "
         "--cpus-per-task=8\n#SBATCH --mem=64G\n#SBATCH --time=12:00:00\n#SBATCH "
         "--output=logs/%x-%j.out\n\nsource ~/.venvs/sctrace/bin/activate\npython -m "
         "sctrace.train --config configs/lineage.toml\n```"),
    ]),
    (13, "14:30", [
        ("Function to read a 10x barcodes.tsv.gz file into a list of strings.",
         "```python\nimport gzip\nfrom pathlib import Path\n\n\ndef read_barcodes(path: Path) "
         "-> list[str]:\n    \"\"\"Read cell barcodes, one per line, from a gzipped TSV.\"\"\"\n"
         "    with gzip.open(Path(path), \"rt\") as f:\n        return [line.split(\"\\t\")[0]."
         "strip() for line in f if line.strip()]\n```"),
    ]),
    (14, "16:25", [
        ("Compute the Jaccard similarity between two sets of marker genes.",
         "```python\ndef jaccard(a: set[str], b: set[str]) -> float:\n    \"\"\"Jaccard "
         "similarity of two gene sets; 0.0 when both are empty.\"\"\"\n    union = a | b\n    "
         "return len(a & b) / len(union) if union else 0.0\n```"),
    ]),
    (16, "11:05", [
        ("Write a CLI with typer that takes an input h5ad and an output folder.",
         "```python\nfrom pathlib import Path\n\nimport typer\n\napp = typer.Typer()\n\n\n"
         "@app.command()\ndef main(h5ad: Path, out_dir: Path = Path(\"results\")) -> None:\n    "
         "\"\"\"Run the scTrace pipeline on one dataset.\"\"\"\n    out_dir.mkdir(parents=True, "
         "exist_ok=True)\n    typer.echo(f\"Processing {h5ad} -> {out_dir}\")\n\n\nif __name__ "
         "== \"__main__\":\n    app()\n```"),
    ]),
    (18, "15:55", [
        ("How do I set a global random seed for numpy, random and torch?",
         "```python\nimport random\n\nimport numpy as np\nimport torch\n\n\ndef seed_everything("
         "seed: int) -> None:\n    \"\"\"Seed Python, NumPy and PyTorch (CPU and CUDA).\"\"\"\n"
         "    random.seed(seed)\n    np.random.seed(seed)\n    torch.manual_seed(seed)\n    "
         "torch.cuda.manual_seed_all(seed)\n```\nFor new NumPy code prefer passing an explicit "
         "np.random.default_rng(seed) around instead of the global state."),
    ]),
    (20, "10:15", [
        ("Write a function that splits cells into train/val/test by donor so no donor leaks.",
         "```python\nimport numpy as np\n\n\ndef split_by_donor(\n    donors: np.ndarray, "
         "fractions: tuple[float, float, float] = (0.7, 0.15, 0.15), seed: int = 0\n) -> "
         "dict[str, np.ndarray]:\n    \"\"\"Return index arrays for train/val/test with disjoint "
         "donors.\"\"\"\n    rng = np.random.default_rng(seed)\n    unique = rng.permutation("
         "np.unique(donors))\n    n_train = int(fractions[0] * unique.size)\n    n_val = "
         "int(fractions[1] * unique.size)\n    groups = {\"train\": unique[:n_train], \"val\": "
         "unique[n_train:n_train + n_val], \"test\": unique[n_train + n_val:]}\n    return {k: "
         "np.flatnonzero(np.isin(donors, v)) for k, v in groups.items()}\n```"),
    ]),
    (22, "14:10", [
        ("My pytest fixtures for a tiny AnnData, please.",
         "```python\nimport anndata as ad\nimport numpy as np\nimport pytest\n\n\n@pytest.fixture"
         "\ndef tiny_adata() -> ad.AnnData:\n    rng = np.random.default_rng(0)\n    x = "
         "rng.poisson(1.0, size=(20, 30)).astype(np.float32)\n    adata = ad.AnnData(x)\n    "
         "adata.obs[\"donor\"] = np.repeat([\"d1\", \"d2\"], 10)\n    return adata\n```"),
    ]),
    (24, "11:35", [
        ("Write a function that caches an expensive computation to a .npy file.",
         "```python\nfrom collections.abc import Callable\nfrom pathlib import Path\n\nimport "
         "numpy as np\n\n\ndef cached_npy(path: Path, compute: Callable[[], np.ndarray]) -> "
         "np.ndarray:\n    \"\"\"Load the array at path, or compute, save and return it.\"\"\"\n"
         "    path = Path(path)\n    if path.exists():\n        return np.load(path)\n    arr = "
         "compute()\n    path.parent.mkdir(parents=True, exist_ok=True)\n    np.save(path, arr)\n"
         "    return arr\n```"),
    ]),
    (27, "16:05", [
        ("Read a TOML list of experiments and run each with a progress bar.",
         "```python\nimport tomllib\nfrom pathlib import Path\n\nfrom tqdm import tqdm\n\n\ndef "
         "run_experiments(config: Path) -> None:\n    \"\"\"Run every [[experiment]] table in "
         "the TOML file.\"\"\"\n    experiments = tomllib.loads(Path(config).read_text())["
         "\"experiment\"]\n    for exp in tqdm(experiments, desc=\"experiments\"):\n        "
         "run_one(**exp)\n```"),
    ]),
    (29, "10:50", [
        ("Write a PyTorch Dataset over a sparse count matrix.",
         "```python\nimport numpy as np\nimport scipy.sparse as sp\nimport torch\nfrom "
         "torch.utils.data import Dataset\n\n\nclass CountsDataset(Dataset):\n    \"\"\"Rows of "
         "a CSR count matrix as dense float tensors.\"\"\"\n\n    def __init__(self, counts: "
         "sp.csr_matrix) -> None:\n        self.counts = counts\n\n    def __len__(self) -> int:"
         "\n        return self.counts.shape[0]\n\n    def __getitem__(self, i: int) -> "
         "torch.Tensor:\n        row = self.counts[i].toarray().ravel()\n        return "
         "torch.from_numpy(row.astype(np.float32))\n```"),
    ]),
    (32, "15:20", [
        ("Function to find the latest checkpoint file (ckpt-<step>.pt) in a folder.",
         "```python\nfrom pathlib import Path\n\n\ndef latest_checkpoint(folder: Path) -> Path | "
         "None:\n    \"\"\"Return the ckpt-<step>.pt with the highest step, or None.\"\"\"\n    "
         "ckpts = Path(folder).glob(\"ckpt-*.pt\")\n    return max(ckpts, key=lambda p: "
         "int(p.stem.split(\"-\")[1]), default=None)\n```"),
    ]),
    (35, "11:25", [
        ("Write a function that computes per-cluster marker genes with a Wilcoxon test via "
         "scanpy and returns a polars frame.",
         "```python\nimport anndata as ad\nimport polars as pl\nimport scanpy as sc\n\n\ndef "
         "marker_genes(adata: ad.AnnData, groupby: str = \"cluster\", n: int = 10) -> "
         "pl.DataFrame:\n    \"\"\"Top-n Wilcoxon marker genes per group.\"\"\"\n    "
         "sc.tl.rank_genes_groups(adata, groupby, method=\"wilcoxon\")\n    df = "
         "sc.get.rank_genes_groups_df(adata, group=None)\n    return pl.from_pandas(df).group_by("
         "\"group\").head(n)\n```\nscanpy returns pandas, so I convert to polars at the "
         "boundary."),
    ]),
    (39, "10:30", [
        ("Write a function that writes JSON atomically.",
         "```python\nimport json\nimport os\nimport tempfile\nfrom pathlib import Path\n\n\n"
         "def write_json_atomic(path: Path, data: object) -> None:\n    \"\"\"Write JSON to a "
         "temporary file, then rename it over path.\"\"\"\n    path = Path(path)\n    fd, tmp = "
         "tempfile.mkstemp(dir=path.parent, suffix=\".tmp\")\n    with os.fdopen(fd, \"w\") as "
         "f:\n        json.dump(data, f, indent=2)\n    Path(tmp).replace(path)\n```"),
    ]),
]

RESEARCH = [
    (1, "14:30", [
        ("What's the difference between UMAP and t-SNE in one paragraph?",
         "Both embed high-dimensional data in 2-D by preserving neighbourhoods. t-SNE matches "
         "pairwise similarities with a heavy-tailed Student-t kernel and mostly preserves local "
         "structure; distances between clusters are not meaningful. UMAP builds a fuzzy "
         "k-nearest-neighbour graph and optimises a cross-entropy layout; it is faster, scales "
         "better, and keeps somewhat more global structure, though neither should be read "
         "quantitatively."),
    ]),
    (2, "16:05", [
        ("Explain the zero-inflated negative binomial in scVI briefly.",
         "scVI models each gene's count with a negative binomial (mean from the decoder, "
         "gene-specific dispersion) mixed with a point mass at zero: the zero-inflation "
         "probability captures extra zeros from dropout. Later work showed plain negative "
         "binomial often fits UMI data as well, so ZINB is optional in scvi-tools."),
    ]),
    (4, "11:40", [
        ("What are good baselines for lineage tree reconstruction from CRISPR barcodes?",
         "Standard baselines are Cassiopeia's greedy, ILP and hybrid solvers, neighbour joining "
         "and UPGMA on barcode distances, and maximum-parsimony methods such as Camin-Sokal. "
         "Evaluate with Robinson-Foulds distance and triplet correctness on simulated trees, "
         "e.g. from Cassiopeia's simulator."),
    ]),
    (5, "19:10", [
        ("How does optimal transport get used for single-cell trajectories?",
         "Waddington-OT couples cells between time points with entropically regularised optimal "
         "transport, with growth rates as marginals; the coupling gives ancestor and descendant "
         "distributions. Newer methods such as moscot scale this with low-rank solvers and add "
         "spatial or lineage costs."),
    ]),
    (7, "13:55", [
        ("Is ARI or NMI better for comparing clusterings?",
         "ARI is chance-adjusted and sensitive to cluster sizes, NMI is not adjusted for chance "
         "and favours many small clusters. For single-cell benchmarks report both, as scIB does, "
         "and ideally AMI (adjusted mutual information) instead of NMI."),
    ]),
    (9, "14:15", [
        ("What is the evidence lower bound, in two sentences?",
         "The ELBO is a lower bound on the log-likelihood of the data: the expected "
         "log-likelihood under the approximate posterior minus the KL divergence from the prior. "
         "Maximising it trains the decoder and makes the encoder's posterior approach the true "
         "one."),
    ]),
    (10, "17:30", [
        ("Why do people use highly variable genes before PCA?",
         "Selecting 2,000 to 5,000 highly variable genes removes genes that carry mostly noise, "
         "which sharpens the principal components, speeds up PCA and neighbour graphs, and "
         "reduces the influence of housekeeping genes on clustering."),
    ]),
    (12, "09:50", [
        ("Summarise what a graph attention network does.",
         "A GAT updates each node by a weighted sum of its neighbours' transformed features, "
         "where the weights come from a learned attention score over each edge, normalised with "
         "a softmax over the neighbourhood; several heads are concatenated or averaged."),
    ]),
    (15, "15:15", [
        ("What is the Robinson-Foulds distance?",
         "The Robinson-Foulds distance between two trees on the same leaves counts the "
         "bipartitions (splits) present in one tree but not the other. It is often normalised "
         "by its maximum, 2(n-3) for unrooted binary trees with n leaves."),
    ]),
    (17, "10:20", [
        ("How should I choose the number of neighbours in a kNN graph for 50k cells?",
         "Common defaults are 15 to 30 neighbours. Larger k smooths the graph and merges small "
         "populations; smaller k keeps rare cell types but is noisier. Check the stability of "
         "your clusters across k = 10, 15, 30 and report it."),
    ]),
    (18, "20:10", [
        ("Difference between batch correction and data integration?",
         "Batch correction removes technical variation between batches of the same biological "
         "system; integration aligns datasets that may differ biologically too (donors, "
         "protocols, species) while trying to keep real biological differences. Over-correction "
         "that erases biology is the main risk."),
    ]),
    (20, "16:30", [
        ("What does the KL annealing trick do in VAEs?",
         "KL annealing multiplies the KL term by a weight that grows from 0 to 1 during early "
         "training, so the decoder learns to use the latent code before the prior pulls the "
         "posterior in; it reduces posterior collapse."),
    ]),
    (22, "11:10", [
        ("Give me three recent papers on lineage tracing with deep learning.",
         "Three directions worth reading: models that jointly embed lineage barcodes and "
         "expression (e.g. LineageVI-style variational models), transformer-based phylogeny "
         "reconstruction from barcode arrays, and optimal-transport methods that use lineage as "
         "a prior such as moscot's lineage problems. Check titles and years before citing; I "
         "can't verify publication details offline."),
    ]),
    (25, "14:40", [
        ("When is a Wilcoxon test inappropriate for marker genes?",
         "Cells from the same donor are not independent, so per-cell Wilcoxon tests inflate "
         "significance; for differential expression across conditions use pseudobulk per donor "
         "with edgeR or DESeq2. Wilcoxon is fine for ranking markers within one dataset."),
    ]),
    (27, "10:55", [
        ("Explain LoRA in three sentences.",
         "LoRA freezes a pretrained weight matrix W and learns a low-rank update BA, with B and A "
         "of rank r much smaller than W's dimensions. Only A and B are trained, which cuts memory "
         "and storage, and BA can be merged into W after training. A scaling factor alpha/r sets "
         "the update's strength."),
    ]),
    (30, "15:45", [
        ("What's a sensible learning-rate schedule for fine-tuning a transformer?",
         "Linear warm-up over the first 3 to 10% of steps, then cosine or linear decay to about "
         "10% of the peak. For LoRA, peak rates of 1e-4 to 3e-4 are typical; full fine-tuning "
         "uses roughly ten times less."),
    ]),
    (33, "13:20", [
        ("How do I report uncertainty for a clustering metric across seeds?",
         "Run at least 5 to 10 seeds, report the mean with a 95% bootstrap confidence interval "
         "over seeds, and show all points in a strip plot. If datasets differ too, bootstrap over "
         "datasets as well."),
    ]),
    (37, "16:15", [
        ("What's the difference between RNA velocity and pseudotime?",
         "Pseudotime orders cells along a trajectory from similarity alone and needs a chosen "
         "root; RNA velocity estimates the direction of change per cell from the ratio of "
         "unspliced to spliced counts, so it can suggest direction without a root, but it rests "
         "on kinetic assumptions that often fail."),
    ]),
    (40, "11:45", [
        ("Is it fine to compare perplexities of models with different tokenizers?",
         "No: perplexity is per token, so different tokenizers change the unit. Compare "
         "bits per character or per byte, or evaluate on the same tokenization."),
    ]),
]

GENERAL = [
    (3, "21:00", [("What's the capital of Australia?",
                   "Canberra is the capital of Australia.")]),
    (6, "18:30", [("How many bones does an adult human have?",
                   "An adult human has 206 bones.")]),
    (8, "13:10", [("Who wrote 'The Master and Margarita'?",
                   "Mikhail Bulgakov wrote 'The Master and Margarita'.")]),
    (11, "20:20", [("What's the boiling point of water at the top of Mont Blanc?",
                    "At about 4,800 m the air pressure is roughly 55 kPa, so water boils near "
                    "84 °C.")]),
    (14, "19:45", [("Why is the sky blue?",
                    "Sunlight scatters off air molecules, and shorter (blue) wavelengths "
                    "scatter much more than red ones (Rayleigh scattering), so scattered blue "
                    "light reaches your eyes from all directions.")]),
    (16, "21:30", [("How long does light take from the Sun to Earth?",
                    "About 8 minutes and 20 seconds.")]),
    (19, "09:35", [("Translate 'thank you for your patience' into French.",
                    "« Merci de votre patience. »")]),
    (21, "20:40", [("What is the tallest mountain in Sweden?",
                    "Kebnekaise, at about 2,100 m; its southern glacier peak has been "
                    "shrinking, so the northern rock peak is now the highest point.")]),
    (24, "19:15", [("Convert 10 miles to kilometres.", "10 miles is about 16.1 km.")]),
    (30, "21:25", [("Who discovered penicillin?",
                    "Alexander Fleming discovered penicillin in 1928.")]),
    (33, "20:00", [("What's the speed of sound in air?",
                    "About 343 m/s in dry air at 20 °C.")]),
    (37, "19:05", [("What is the chemical symbol for tungsten?", "W, from 'wolfram'.")]),
]

SECRETS = [
    (5, "22:10", [
        ("Why can't boto3 connect? My config is AWS_ACCESS_KEY_ID=AKIAZ7XQ4MILTONDEMO2 and "
         "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYMILTONDEMO1, region eu-west-3.",
         "Check that the region matches your bucket's and that the keys are loaded from "
         "~/.aws/credentials or the environment rather than hard-coded. Also, you just pasted a "
         "secret key in a chat: rotate it in the IAM console."),
    ]),
    (9, "23:00", [
        ("git push fails with my token ghp_4f9Qm2LxVb7Rt1Kc8Zp3Wn6Yd0Hs5Ja9MiLt, is it expired?",
         "A 403 usually means the token lacks the 'repo' scope or has expired; check it under "
         "GitHub settings, Developer settings. Since it's now in this chat, revoke it and create "
         "a new one."),
    ]),
    (12, "22:35", [
        ("Set up the OpenAI client with my key sk-proj-Xk29fLmQ83vTz0PwRb47NcYd1HsGe6JuMiltonDemoKey",
         "Put the key in the OPENAI_API_KEY environment variable and create the client with "
         "OpenAI() so it reads it from there; never commit it. You should rotate this one since "
         "it was pasted here."),
    ]),
    (18, "22:50", [
        ("The wifi password for the lab guest network is Rh0ne-Cr0ix-2026! - write a note for "
         "visitors.",
         "Here is a short note for visitors: 'Welcome to the lab! Guest wifi: RICB-Guest. Ask "
         "Ada for the password.' I left the password out of the note so it isn't printed."),
    ]),
    (25, "23:15", [
        ("Slack bot token is xoxb-2718281828-3141592653-MiltonDemoSlackTok, how do I post a "
         "message from Python?",
         "Use slack_sdk: WebClient(token=os.environ['SLACK_BOT_TOKEN']).chat_postMessage("
         "channel='#lab', text='hello'). Keep the token in an environment variable and rotate "
         "the one you pasted."),
    ]),
    (31, "22:20", [
        ("Connection string postgres://ada:p0stgr3s-Ad4-Tr4ce@db.ricb.local:5432/sctrace fails "
         "with 'no pg_hba.conf entry'.",
         "'no pg_hba.conf entry' means the server rejects your host or user: ask the admin to "
         "add your IP range with md5 or scram-sha-256 auth in pg_hba.conf. And move that "
         "password out of the connection string into ~/.pgpass."),
    ]),
    (35, "23:40", [
        ("Is this key valid? -----BEGIN RSA PRIVATE KEY-----\n"
         "MIIEowIBAAKCAQEAmiltonDemoFakePrivateKeyMaterialDoNotUse\n-----END RSA PRIVATE KEY-----",
         "I can't validate it here, but 'ssh-keygen -y -f key' prints its public key if the file "
         "is well formed. A private key should never be shared: generate a new pair and replace "
         "this one wherever it's authorised."),
    ]),
]

# Corrections and follow-ups: the owner pushes back, which is the strongest preference signal.
CORRECTIONS = [
    (4, "15:40", [
        ("Write a function to list the subfolders of a directory.",
         "```python\nimport os\n\ndef list_subfolders(d):\n    return [os.path.join(d, x) for x "
         "in os.listdir(d) if os.path.isdir(os.path.join(d, x))]\n```"),
        ("No: pathlib and type hints, as I told you.",
         "Sorry, here it is in your style:\n```python\nfrom pathlib import Path\n\n\ndef "
         "list_subfolders(folder: Path) -> list[Path]:\n    \"\"\"Immediate subdirectories of "
         "folder, sorted by name.\"\"\"\n    return sorted(p for p in Path(folder).iterdir() if "
         "p.is_dir())\n```"),
    ]),
    (6, "11:20", [
        ("Write a test for list_subfolders.",
         "```python\nimport unittest\n\nclass TestSubfolders(unittest.TestCase):\n    def "
         "test_empty(self):\n        ...\n```"),
        ("pytest, never unittest. Use tmp_path.",
         "Right, pytest with tmp_path:\n```python\nfrom pathlib import Path\n\nfrom mytools "
         "import list_subfolders\n\n\ndef test_lists_only_dirs(tmp_path: Path) -> None:\n    "
         "(tmp_path / \"b\").mkdir()\n    (tmp_path / \"a\").mkdir()\n    (tmp_path / "
         "\"f.txt\").write_text(\"x\")\n    assert list_subfolders(tmp_path) == [tmp_path / "
         "\"a\", tmp_path / \"b\"]\n```"),
    ]),
    (7, "07:30", [
        ("Morning briefing please. Today: 10:00 lab meeting. New papers: Cell2location. Main "
         "thing: clean the dataset.",
         "Here's your day! You have a lab meeting at 10:00, which should be a good chance to "
         "share progress. There's also a new paper, Cell2location, that looks relevant to your "
         "work on spatial mapping. Your main goal today is cleaning the dataset. Good luck!"),
        ("That's not my format. Greeting, then Calendar, Papers to read, One focus task, bullets.",
         "Sorry. Good morning, Ada.\n\n**Calendar**\n- 10:00 lab meeting\n\n**Papers to "
         "read**\n- Cell2location\n\n**One focus task**\n- Clean the dataset"),
    ]),
    (13, "10:45", [
        ("Show me the mean expression per cluster with pandas.",
         "```python\nimport pandas as pd\n\ndf.groupby(\"cluster\").mean()\n```"),
        ("Polars please, and a function with types.",
         "```python\nimport polars as pl\n\n\ndef mean_per_cluster(cells: pl.DataFrame) -> "
         "pl.DataFrame:\n    \"\"\"Mean of every numeric column per cluster.\"\"\"\n    return "
         "cells.group_by(\"cluster\").mean().sort(\"cluster\")\n```"),
    ]),
    (15, "17:05", [
        ("Is our method better than the baseline? Ours: 0.81, 0.84, 0.79, 0.83, 0.82 ARI; "
         "baseline: 0.78, 0.80, 0.77, 0.79, 0.81.",
         "The mean ARI is 0.818 for yours and 0.790 for the baseline, a difference of 0.028. "
         "With five seeds each, a 95% bootstrap confidence interval of the difference is "
         "roughly 0.010 to 0.046, so the improvement is small but consistently positive."),
        ("Good, that's how I like it reported.",
         "Thanks. I'll keep reporting differences with 95% bootstrap intervals."),
    ]),
    (19, "11:55", [
        ("Plot the loss curve.",
         "```python\nplt.plot(losses)\nplt.show()\n```"),
        ("Label axes with units and save to a file, as usual.",
         "```python\nfrom pathlib import Path\n\nimport matplotlib.pyplot as plt\n\n\ndef "
         "plot_loss(losses: list[float], out: Path) -> None:\n    fig, ax = plt.subplots()\n    "
         "ax.plot(losses, color=plt.cm.viridis(0.3))\n    ax.set_xlabel(\"step\")\n    "
         "ax.set_ylabel(\"loss (nats per token)\")\n    fig.savefig(out, dpi=200)\n```"),
    ]),
    (20, "19:20", [
        ("Recipe idea for tonight? Something quick.",
         "A quick vegetarian option: a chickpea and spinach curry with coconut milk, ready in "
         "25 minutes. It's peanut-free; check that your curry paste is too."),
    ]),
    (26, "13:35", [
        ("Our lab's new server is called Volta, same Slurm setup as Ampère.",
         "Noted: the lab now has a second Slurm cluster, Volta, set up like Ampère."),
    ]),
    (27, "18:45", [
        ("Tomás has a solo in the Dvořák cello concerto on 17 October!",
         "That's wonderful news. I'll remember Tomás's Dvořák cello concerto solo on 17 "
         "October."),
    ]),
    (32, "19:40", [
        ("I started learning Italian on Mondays at 18:30.",
         "Noted: Italian lessons on Mondays at 18:30. Buona fortuna!"),
    ]),
    (34, "09:10", [
        ("ICLR submission went in! scTrace is submitted.",
         "Congratulations, Ada! scTrace is submitted to ICLR. Consider noting the open "
         "questions from the internal review now, while they are fresh, for the rebuttal."),
        ("Good idea. Top three: ablations on barcode noise, runtime, and larger trees.",
         "Saved for the rebuttal: (1) ablations on barcode noise, (2) runtime comparison, "
         "(3) results on larger trees."),
    ]),
    (38, "08:15", [
        ("From now on the weekly review is Friday 14:00 to 15:00.",
         "Updated: your weekly review is now on Fridays from 14:00 to 15:00."),
    ]),
]


# Morning briefings: the owner gives the day's inputs; the assistant answers in her stored format.
BRIEFING_DAYS = [
    (8, "07:10", ["09:30 lab meeting", "14:00 call with Karim"],
     ["scVI follow-up on count likelihoods", "Cassiopeia benchmark preprint"],
     "Finish the simulation section of the scTrace draft"),
    (9, "07:05", ["11:00 meeting with Karim"], ["moscot lineage problems paper"],
     "Debug the barcode parser on the new dataset"),
    (10, "07:15", ["16:00 reading group, room B214"], ["scIB benchmark paper"],
     "Prepare three discussion questions for the reading group"),
    (11, "07:00", ["10:00 seminar on spatial omics", "15:00 weekly review"],
     ["Spatial transcriptomics review"], "Write the related-work paragraph on lineage tracing"),
    (14, "07:20", ["10:00 one-page update to Prof. Marchand", "13:00 lab lunch"],
     ["LoRA paper for the ML journal club"], "Send the project update to Prof. Marchand"),
    (15, "06:55", ["12:00 Ampère cluster maintenance window"], ["Waddington-OT paper"],
     "Queue the 12-hour training job before the maintenance window"),
    (16, "07:10", ["14:00 meeting with Karim", "17:00 seminar"], ["RNA velocity critique"],
     "Review Karim's benchmark plots"),
    (17, "07:25", ["16:00 reading group, room B214"], ["Graph attention networks paper"],
     "Run the ablation without CRISPR barcodes"),
    (18, "07:00", ["09:00 faculty talk", "15:00 weekly review"], ["Tree-distance metrics note"],
     "Update the results table with Robinson-Foulds distances"),
    (21, "07:30", ["10:30 call with collaborators in Heidelberg"],
     ["Optimal transport for lineage paper"], "Draft the methods section on the loss function"),
    (22, "07:05", ["14:00 meeting with Karim"], ["KL annealing in VAEs"],
     "Fix the posterior collapse in the small-data runs"),
    (23, "07:15", ["11:00 thesis committee for a PhD student", "16:00 reading group"],
     ["scVI-tools documentation update"], "Review the PhD student's chapter"),
    (24, "07:00", ["15:00 weekly review"], ["Pseudobulk differential expression paper"],
     "Write the limitations paragraph"),
    (28, "07:10", ["09:30 lab meeting", "12:00 lunch with Tomás"],
     ["Transformer phylogeny reconstruction preprint"], "Make figure 2 colorblind-safe"),
    (29, "07:20", ["14:00 meeting with Karim", "18:00 yoga"], ["Benchmarking integration paper"],
     "Rerun the seeds for the stability analysis"),
    (30, "07:05", ["16:00 reading group, room C108"], ["Evidence lower bound tutorial"],
     "Check the ICLR formatting and page limit"),
    (31, "07:15", ["10:00 Fermat's follow-up at the vet (phone)", "15:00 weekly review"],
     ["Robinson-Foulds normalisation note"], "Finalise the appendix on simulations"),
    (35, "07:00", ["09:00 ICLR internal review", "14:00 call with Karim"],
     ["Learning-rate schedules for fine-tuning"], "Address the internal reviewers' comments"),
    (36, "07:25", ["11:00 lab meeting"], ["Cell-type annotation with LLMs preprint"],
     "Polish the abstract to under 250 words"),
    (37, "07:10", ["16:00 reading group, room C108", "19:30 Tomás's rehearsal"],
     ["Perplexity across tokenizers note"], "Submit the ICLR draft to the co-authors"),
]


def briefing_conversation(day: int, clock: str, calendar: list[str], papers: list[str],
                          focus: str) -> tuple[int, str, list[tuple[str, str]]]:
    """One morning-briefing exchange in the owner's stored format."""
    date = (START + timedelta(days=day)).strftime("%A %d %B")
    user = (f"Morning briefing please. It's {date}. Today: {'; '.join(calendar)}. "
            f"New papers: {'; '.join(papers)}. Main thing: {focus.lower()}.")
    reply = ("Good morning, Ada.\n\n**Calendar**\n" + "\n".join(f"- {c}" for c in calendar)
             + "\n\n**Papers to read**\n" + "\n".join(f"- {p}" for p in papers)
             + f"\n\n**One focus task**\n- {focus}")
    return day, clock, [(user, reply)]


def to_record(index: int, day: int, clock: str, pairs: list[tuple[str, str]]) -> dict:
    """A conversation in Milton's import format, one minute between messages."""
    hour, minute = map(int, clock.split(":"))
    t = START + timedelta(days=day, hours=hour, minutes=minute)
    messages = []
    for user_text, assistant_text in pairs:
        messages.append({"role": "user", "content": user_text, "timestamp": t.isoformat()})
        t += timedelta(minutes=1)
        messages.append({"role": "assistant", "content": assistant_text,
                         "timestamp": t.isoformat()})
        t += timedelta(minutes=2)
    return {"id": f"c-{index:03d}", "user": USER, "messages": messages}


def all_conversations() -> list[dict]:
    """Every demo conversation, sorted by time and numbered c-001, c-002, …"""
    raw = PERSONAL + PREFERENCES + CODE + RESEARCH + GENERAL + SECRETS + CORRECTIONS
    raw += [briefing_conversation(*b) for b in BRIEFING_DAYS]
    raw.sort(key=lambda c: (c[0], c[1]))
    return [to_record(i + 1, *c) for i, c in enumerate(raw)]


# --- held-out evaluation set: 5 categories x 10 ------------------------------------------------
# `facts`: substrings (case-insensitive) that a correct answer must all contain.
EVAL = {
    "personal_preferences": [
        ("What's my cat's name?", "Your cat is called Fermat.", ["Fermat"]),
        ("What instrument does my partner play?", "Tomás plays the cello.", ["cello"]),
        ("Suggest a snack for my afternoon. Anything I should avoid?",
         "Something vegetarian and peanut-free, with oolong tea rather than coffee after 14:00.",
         ["peanut"]),
        ("When is my reading group?", "Thursdays at 16:00, now in room C108.", ["Thursday", "16:00"]),
        ("Which days do I run?", "You run on Tuesdays and Saturdays at 6:30.",
         ["Tuesday", "Saturday"]),
        ("What do I drink in the afternoon?", "Oolong tea; no coffee after 14:00.", ["oolong"]),
        ("Who is my advisor?", "Prof. Hélène Marchand.", ["Marchand"]),
        ("When is my sister's birthday?", "Ingrid's birthday is on 14 October.", ["14", "October"]),
        ("Which neighbourhood of Lyon do I live in?", "Croix-Rousse.", ["Croix-Rousse"]),
        ("What's the name of my GPU cluster?", "Ampère, a Slurm cluster.", ["Amp"]),
    ],
    "code_generation": [
        ("Write a function that counts the lines of every .txt file in a folder.",
         "```python\nfrom pathlib import Path\n\n\ndef count_lines(folder: Path) -> dict[str, int]:"
         "\n    \"\"\"Number of lines in each .txt file of a folder.\"\"\"\n    return {p.name: "
         "len(p.read_text().splitlines()) for p in sorted(Path(folder).glob(\"*.txt\"))}\n```",
         ["def ", "->", "Path"]),
        ("Write a pytest test for a function add(a, b).",
         "```python\nimport pytest\n\nfrom mymod import add\n\n\n@pytest.mark.parametrize(\"a, b, "
         "expected\", [(1, 2, 3), (0, 0, 0), (-1, 1, 0)])\ndef test_add(a: int, b: int, expected: "
         "int) -> None:\n    assert add(a, b) == expected\n```", ["pytest", "def test_"]),
        ("Load a CSV of gene counts and return the top 10 genes by total count.",
         "```python\nfrom pathlib import Path\n\nimport polars as pl\n\n\ndef top_genes(path: "
         "Path, n: int = 10) -> pl.DataFrame:\n    \"\"\"Genes with the highest total count.\"\"\""
         "\n    return pl.read_csv(path).sort(\"count\", descending=True).head(n)\n```",
         ["def ", "->", "polars"]),
        ("Write a function that returns the mean of a list of floats.",
         "```python\ndef mean(values: list[float]) -> float:\n    \"\"\"Arithmetic mean; raises "
         "ValueError on an empty list.\"\"\"\n    if not values:\n        raise "
         "ValueError(\"mean() of an empty list\")\n    return sum(values) / len(values)\n```",
         ["def ", "->"]),
        ("Write a function that saves a matplotlib histogram of a numpy array.",
         "```python\nfrom pathlib import Path\n\nimport matplotlib.pyplot as plt\nimport numpy as "
         "np\n\n\ndef save_hist(x: np.ndarray, out: Path, unit: str) -> None:\n    fig, ax = "
         "plt.subplots()\n    ax.hist(x, bins=50, color=plt.cm.viridis(0.4))\n    "
         "ax.set_xlabel(f\"value ({unit})\")\n    ax.set_ylabel(\"count\")\n    fig.savefig(out)"
         "\n```", ["def ", "->", "set_xlabel"]),
        ("Write a dataclass for a cell with a barcode, a cluster id and a donor.",
         "```python\nfrom dataclasses import dataclass\n\n\n@dataclass(frozen=True)\nclass Cell:"
         "\n    barcode: str\n    cluster: int\n    donor: str\n```", ["@dataclass", "barcode"]),
        ("Write a function that finds all files bigger than 1 GB under a directory.",
         "```python\nfrom pathlib import Path\n\n\ndef big_files(root: Path, limit: int = 10**9) -> "
         "list[Path]:\n    \"\"\"Files under root larger than limit bytes.\"\"\"\n    return "
         "[p for p in Path(root).rglob(\"*\") if p.is_file() and p.stat().st_size > limit]\n```",
         ["def ", "->", "Path"]),
        ("Write a function that merges two dictionaries of counts.",
         "```python\nfrom collections import Counter\n\n\ndef merge_counts(a: dict[str, int], "
         "b: dict[str, int]) -> dict[str, int]:\n    \"\"\"Sum two count dictionaries.\"\"\"\n"
         "    return dict(Counter(a) + Counter(b))\n```", ["def ", "->"]),
        ("Write a function that reads a JSON config file and returns a dict.",
         "```python\nimport json\nfrom pathlib import Path\n\n\ndef read_config(path: Path) -> "
         "dict:\n    \"\"\"Parse a JSON config file.\"\"\"\n    return "
         "json.loads(Path(path).read_text())\n```", ["def ", "->", "Path"]),
        ("Write a function that computes a 95% bootstrap confidence interval of the median.",
         "```python\nimport numpy as np\n\n\ndef median_ci(x: np.ndarray, n_boot: int = 10_000, "
         "seed: int = 0) -> tuple[float, float]:\n    rng = np.random.default_rng(seed)\n    idx "
         "= rng.integers(0, x.size, size=(n_boot, x.size))\n    meds = np.median(x[idx], axis=1)"
         "\n    lo, hi = np.quantile(meds, [0.025, 0.975])\n    return float(lo), float(hi)\n```",
         ["def ", "->", "bootstrap"]),
    ],
    "research_queries": [
        ("What is the difference between PCA and UMAP?",
         "PCA is a linear projection onto directions of maximal variance and preserves global "
         "distances; UMAP is a non-linear neighbour-graph embedding that preserves local "
         "structure, used for visualisation.", ["linear"]),
        ("What does the KL term do in a VAE?",
         "It pulls the approximate posterior towards the prior, regularising the latent space.",
         ["prior"]),
        ("Why use pseudobulk for differential expression?",
         "Cells from one donor are not independent; aggregating per donor gives correct error "
         "rates.", ["donor"]),
        ("What is Robinson-Foulds distance used for?",
         "Comparing two trees by counting splits present in only one of them.", ["tree"]),
        ("What is optimal transport?",
         "Finding the cheapest way to move one probability distribution onto another given a "
         "cost between points.", ["distribution"]),
        ("Why select highly variable genes?",
         "They carry most of the biological signal; dropping the rest reduces noise and "
         "computation.", ["noise"]),
        ("What is posterior collapse?",
         "When a VAE's decoder ignores the latent code and the posterior equals the prior.",
         ["latent"]),
        ("How does LoRA reduce the number of trained parameters?",
         "It freezes the weights and trains a low-rank update BA with small rank r.",
         ["low-rank"]),
        ("What is batch correction in single-cell data?",
         "Removing technical differences between batches while keeping biological variation.",
         ["batch"]),
        ("What does ARI measure?",
         "Agreement between two clusterings, adjusted for chance.", ["chance"]),
    ],
    "morning_briefing": [
        (f"Morning briefing please. Today: {cal}. New papers: {paper}. Main thing: {focus}.",
         f"Good morning, Ada.\n\n**Calendar**\n- {cal}\n\n**Papers to read**\n- {paper}\n\n"
         f"**One focus task**\n- {focus[0].upper() + focus[1:]}",
         ["Good morning, Ada", "Calendar", "Papers to read", "One focus task"])
        for cal, paper, focus in [
            ("10:00 lab meeting", "Diffusion models for gene expression",
             "rewrite the introduction"),
            ("14:00 meeting with Karim", "scGPT evaluation", "check Karim's metrics"),
            ("16:00 reading group", "Lineage tracing review", "pick next week's paper"),
            ("09:00 seminar", "Mixture-of-experts survey", "run the baseline sweep"),
            ("15:00 weekly review", "Cell atlases at scale", "plan next week"),
            ("11:00 call with Heidelberg", "Spatial lineage paper", "send the shared figures"),
            ("13:00 lab lunch", "Contrastive learning for cells", "fix the data loader"),
            ("10:30 committee meeting", "Tree inference with transformers",
             "prepare the slides"),
            ("12:00 cluster maintenance", "Optimal transport tutorial", "queue the long jobs"),
            ("17:00 dentist", "Benchmarking foundation models", "review the rebuttal"),
        ]
    ],
    "general_knowledge": [
        ("What is the capital of Sweden?", "Stockholm.", ["Stockholm"]),
        ("What is the largest planet in the solar system?", "Jupiter.", ["Jupiter"]),
        ("Who wrote 'Hamlet'?", "William Shakespeare.", ["Shakespeare"]),
        ("What is the chemical symbol for gold?", "Au.", ["Au"]),
        ("How many continents are there?", "Seven.", ["seven"]),
        ("What is the freezing point of water in Celsius?", "0 °C.", ["0"]),
        ("Which river flows through Lyon besides the Saône?", "The Rhône.", ["Rh"]),
        ("What is the square root of 144?", "12.", ["12"]),
        ("Who developed the theory of general relativity?", "Albert Einstein.", ["Einstein"]),
        ("What gas do plants absorb for photosynthesis?", "Carbon dioxide (CO2).", ["carbon"]),
    ],
}


def eval_questions() -> list[dict]:
    """The 50-question evaluation set, ten per category."""
    rows = []
    for category, items in EVAL.items():
        for i, (question, reference, facts) in enumerate(items, 1):
            rows.append({"id": f"q-{category}-{i:02d}", "category": category,
                         "question": question, "reference": reference, "facts": facts})
    return rows


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")


if __name__ == "__main__":
    conversations, questions = all_conversations(), eval_questions()
    assert len(conversations) >= 120, len(conversations)
    assert len(questions) == 50 and all(len(v) == 10 for v in EVAL.values())
    write_jsonl(HERE / "conversations.jsonl", conversations)
    write_jsonl(HERE / "eval_questions.jsonl", questions)
    write_jsonl(HERE / "planted_secrets.jsonl", [{"secret": s} for s in PLANTED_SECRETS])
    print(f"{len(conversations)} conversations, {len(questions)} questions")

"""The outcome/output classifier (headway.coach.classifier): interface, bad input,
the committed model and its recorded metrics, and the training helpers.

Pure: no database. Speed is measured by `scripts/train_coach.py --measure`, not here.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
import textwrap
import typing
from pathlib import Path

import numpy as np
import pytest

from headway.coach import classifier
from headway.coach.classifier import (
    MAX_CHARS,
    MODEL_DIR,
    NOTE_CUT,
    NOTE_EMPTY,
    NOTE_NO_WORDS,
    NOTE_NON_ENGLISH,
    NOTE_NUMBER_ONLY,
    NOTE_UNSURE,
    CoachModel,
    LogisticModel,
    Metrics,
    ModelError,
    Prediction,
    classify,
    fit_logistic,
    is_number_only,
    load_model,
    looks_non_english,
    normalise,
    read_labelled_set,
    sha256_file,
    stratified_folds,
    stratified_split,
)
from headway.coach.features import HAND_FEATURE_NAMES, build_matrix, feature_names
from headway.text import LexicalEngine, get_engine
from headway.text.static import MODEL_DIR as TEXT_MODEL_DIR

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data" / "coach" / "key_results.csv"
CHALLENGE = REPO / "data" / "coach" / "challenge.csv"

CLEAR_OUTCOMES = [
    "Increase day-7 retention from 32% to 45%",
    "Reduce average delivery delay from 2 days to 4 hours",
    "Customers find what they need on the first search in 80% of sessions",
    "Keep monthly churn below 2%",
]
CLEAR_OUTPUTS = [
    "Launch the new onboarding flow",
    "Run 12 customer workshops",
    "Publish the hiring handbook",
    "Migrate the billing service to Kubernetes",
]


# --------------------------------------------------------------------------- interface


def test_prediction_has_the_agreed_shape() -> None:
    # The quality checks, the API and the web hints build on exactly these fields.
    assert dataclasses.is_dataclass(Prediction)
    assert Prediction.__dataclass_params__.frozen  # type: ignore[attr-defined]
    fields = {f.name: f.type for f in dataclasses.fields(Prediction)}
    assert list(fields) == ["text", "label", "score", "low_confidence", "note"]
    hints = typing.get_type_hints(Prediction)
    assert typing.get_args(hints["label"]) == ("outcome", "output")
    prediction = classify(["Ship 5 features"])[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        prediction.label = "outcome"  # type: ignore[misc]
    assert prediction.as_dict().keys() == {"text", "label", "score", "low_confidence", "note"}


def test_clear_cases_in_input_order() -> None:
    texts = [t for pair in zip(CLEAR_OUTCOMES, CLEAR_OUTPUTS, strict=True) for t in pair]
    predictions = classify(texts)
    assert [p.text for p in predictions] == texts
    assert [p.label for p in predictions] == ["outcome", "output"] * len(CLEAR_OUTCOMES)
    for p in predictions:
        assert 0.0 <= p.score <= 1.0
        assert (p.score >= 0.5) == (p.label == "outcome")
        assert not p.low_confidence and p.note == ""


def test_deterministic_within_and_across_processes_and_imports_no_django() -> None:
    texts = CLEAR_OUTCOMES + CLEAR_OUTPUTS
    first = classify(texts)
    assert classify(texts) == first
    assert classify(list(reversed(texts))) == list(reversed(first))
    script = textwrap.dedent(
        f"""
        import json, sys
        from headway.coach.classifier import classify
        result = [p.as_dict() for p in classify({texts!r})]
        leaked = sorted(m for m in sys.modules if m == "django" or m.startswith("django."))
        print(json.dumps({{"result": result, "django": leaked}}))
        """
    )
    child = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert child.returncode == 0, child.stderr
    out = json.loads(child.stdout)
    assert out["django"] == []
    assert out["result"] == [p.as_dict() for p in first]


def test_empty_list_and_type_errors() -> None:
    assert classify([]) == []
    with pytest.raises(TypeError, match="wrap it in a list"):
        classify("Ship 5 features")
    with pytest.raises(TypeError, match="strings"):
        classify(["ok", None])  # type: ignore[list-item]


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("text", "note"), [("", NOTE_EMPTY), ("   \n\t ", NOTE_EMPTY), ("!!! ??? …", NOTE_NO_WORDS)]
)
def test_nothing_to_classify_is_a_low_confidence_output(text: str, note: str) -> None:
    assert classify([text]) == [Prediction(text, "output", 0.0, True, note)]


def test_long_text_is_cut_to_500_characters_and_echoed_whole() -> None:
    long = "Increase day-7 retention from 32% to 45% " + "and keep it there " * 400
    (p,) = classify([long])
    assert p.text == long
    assert p.note.startswith(NOTE_CUT) and NOTE_CUT == "text was cut to 500 characters"
    # Only the first 500 characters count: the rest changes nothing.
    (same,) = classify([long + " Launch a campaign"])
    assert same.score == p.score
    (short,) = classify(["x" * MAX_CHARS])
    assert NOTE_CUT not in short.note


@pytest.mark.parametrize("text", ["42", " 12.5% ", "€1,000", "-3", "10k", "1 000 000", "±5 %"])
def test_a_bare_number_is_low_confidence(text: str) -> None:
    assert is_number_only(text)
    (p,) = classify([text])
    assert p.low_confidence and p.note.startswith(NOTE_NUMBER_ONLY)
    assert p.label in ("outcome", "output")


@pytest.mark.parametrize("text", ["Q3", "Ship 5 features", "5 features", "from 3 to 5", "3x"])
def test_not_only_a_number(text: str) -> None:
    assert not is_number_only(text)


@pytest.mark.parametrize(
    "text",
    [
        "Augmenter la rétention des clients de 30 % à 45 %",
        "Ventes en hausse de 10 % au T3 pour les nouveaux clients",
        "Umsatz im Mittelstand von 2 auf 3 Mio. Euro steigern",
        "Aumentar la retención de clientes del 30% al 45%",
        "Klanttevredenheid verhogen van 7 naar 8 voor alle klanten",
        "Увеличить удержание клиентов с 32% до 45%",
        "将客户留存率从32%提高到45%",
    ],
)
def test_non_english_is_classified_with_low_confidence(text: str) -> None:
    assert looks_non_english(text)
    (p,) = classify([text])
    assert p.low_confidence and NOTE_NON_ENGLISH in p.note
    assert p.label in ("outcome", "output")


def test_no_english_sentence_of_the_labelled_sets_looks_foreign() -> None:
    texts = [e.text for path in (DATA, CHALLENGE) for e in read_labelled_set(path)]
    assert [t for t in texts if looks_non_english(t)] == []
    assert [t for t in texts if is_number_only(t)] == []


def test_notes_combine_in_order() -> None:
    text = "Augmenter la rétention des clients de 30 % à 45 % " * 20
    (p,) = classify([text])
    assert p.note.startswith(f"{NOTE_CUT}; {NOTE_NON_ENGLISH}")


def test_whitespace_and_unicode_forms_do_not_change_the_score() -> None:
    a, b = classify(["Reduce  churn\tfrom 3% to 2%", " Reduce churn from 3% to 2%\n"])
    assert a.score == b.score
    assert normalise("ＫＲ１:  Ship\u00a0it ") == "KR1: Ship it"


# --------------------------------------------------------------------------- the band, with a stub model


@pytest.fixture
def stub_model(monkeypatch: pytest.MonkeyPatch) -> LexicalEngine:
    """A model that scores every text 0.5, on a small lexical engine."""
    engine = LexicalEngine(dim=16)
    width = len(feature_names(16))
    logistic = LogisticModel(np.zeros(width), 0.0, np.zeros(width), np.ones(width))
    model = CoachModel(logistic, "lexical", 16, {})
    monkeypatch.setitem(classifier._models, MODEL_DIR, model)
    return engine


def test_scores_in_the_band_are_low_confidence(stub_model: LexicalEngine) -> None:
    (p,) = classify(["Anything at all"], engine=stub_model)
    assert p == Prediction("Anything at all", "outcome", 0.5, True, NOTE_UNSURE)


def test_an_engine_the_model_was_not_trained_on_is_refused(stub_model: LexicalEngine) -> None:
    with pytest.raises(ModelError, match="trained on the 'lexical' engine"):
        classify(["Ship it"], engine=LexicalEngine(dim=32))


def test_the_committed_model_refuses_another_engine() -> None:
    with pytest.raises(ModelError, match="'static' engine"):
        classify(["Ship it"], engine=get_engine("lexical"))


# --------------------------------------------------------------------------- the committed model


def metadata() -> dict[str, typing.Any]:
    return typing.cast(dict[str, typing.Any], json.loads((MODEL_DIR / "metadata.json").read_text()))


def test_recorded_metrics_meet_the_target() -> None:
    meta = metadata()
    held = meta["held_out"]
    assert held["balanced_accuracy"] >= 0.90
    assert min(held["outcome_recall"], held["output_recall"]) >= 0.85
    assert held["n"] >= 150
    cv = meta["cross_validation"]["shipped"]
    assert cv["balanced_accuracy_mean"] >= 0.90 and cv["folds"] >= 5


def test_model_matches_the_data_the_text_model_and_the_code() -> None:
    meta = metadata()
    # Editing the labelled set or rebuilding the text model means `make coach-train`.
    assert meta["training_set"]["sha256"] == sha256_file(DATA)
    for name, digest in meta["engine"]["files_sha256"].items():
        assert sha256_file(TEXT_MODEL_DIR / name) == digest, name
    assert meta["weights_sha256"] == sha256_file(MODEL_DIR / "weights.npz")
    assert meta["hand_features"] == list(HAND_FEATURE_NAMES)
    assert meta["feature_names"] == feature_names(meta["engine"]["dim"])
    assert meta["challenge"]["sha256"] == sha256_file(CHALLENGE)


def test_recorded_held_out_figure_is_reproduced_from_the_committed_weights() -> None:
    meta = metadata()
    examples = read_labelled_set(DATA)
    strata = [f"{e.label}/{e.domain}" for e in examples]
    _, test = stratified_split(strata, meta["split"]["test_share"], meta["split"]["seed"])
    assert len(test) == meta["held_out"]["n"]
    predictions = classify([examples[i].text for i in test])
    got = Metrics.of(
        [examples[i].label == "outcome" for i in test], [p.label == "outcome" for p in predictions]
    )
    assert round(got.balanced_accuracy, 4) == meta["held_out"]["balanced_accuracy"]
    assert dataclasses.asdict(got) == meta["held_out"]["confusion"]


def test_a_model_trained_with_other_features_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    shutil.copytree(MODEL_DIR, folder)
    meta = metadata()
    meta["hand_features"] = [*meta["hand_features"], "new_feature"]
    (folder / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="other hand-made features"):
        CoachModel.load(folder)
    (folder / "weights.npz").unlink()
    with pytest.raises(ModelError, match="cannot read"):
        CoachModel.load(folder)


def test_load_model_reads_once() -> None:
    assert load_model() is load_model()


# --------------------------------------------------------------------------- training helpers


def test_stratified_split_is_seeded_disjoint_and_proportional() -> None:
    strata = ["a"] * 20 + ["b"] * 8 + ["c"] * 3
    train, test = stratified_split(strata, 0.25, seed=7)
    assert sorted([*train, *test]) == list(range(len(strata)))
    assert [sum(strata[i] == s for i in test) for s in "abc"] == [5, 2, 1]
    again = stratified_split(strata, 0.25, seed=7)
    assert np.array_equal(train, again[0]) and np.array_equal(test, again[1])
    assert not np.array_equal(test, stratified_split(strata, 0.25, seed=8)[1])


def test_stratified_folds_cover_every_index_once_and_balance_strata() -> None:
    strata = ["x"] * 10 + ["y"] * 10
    folds = stratified_folds(strata, 5, seed=1)
    assert sorted(i for fold in folds for i in fold) == list(range(20))
    for fold in folds:
        assert sum(strata[i] == "x" for i in fold) == 2


@pytest.mark.parametrize(("n", "d"), [(200, 20), (40, 120)])  # the narrow and the wide solver
def test_fit_logistic_reaches_the_penalised_optimum(n: int, d: int) -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(n, d))
    y = (X[:, 0] - X[:, 1] + 0.5 * rng.normal(size=n) > 0).astype(float)
    l2 = 2.0
    model = fit_logistic(X, y, l2)
    Z = (X - model.mean) / model.scale
    residual = model.proba(X) - y
    # Zero gradient: the intercept's is unpenalised, the weights' include l2 * coef.
    assert abs(residual.sum()) < 1e-6
    assert np.max(np.abs(Z.T @ residual + l2 * model.coef)) < 1e-6
    assert fit_logistic(X, y, l2).coef.tolist() == model.coef.tolist()


def test_metrics() -> None:
    m = Metrics.of([True, True, True, False], [True, False, True, False])
    assert (m.outcome_recall, m.output_recall, m.balanced_accuracy) == pytest.approx(
        (2 / 3, 1, 5 / 6)
    )
    assert m.n == 4 and m.accuracy == 0.75


def test_read_labelled_set_rejects_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "set.csv"
    path.write_text('text,label,domain\n"Ship it",output,x\n"ship it",output,x\n')
    with pytest.raises(ValueError, match="duplicate"):
        read_labelled_set(path)
    path.write_text('text,label,domain\n"Ship it",deliverable,x\n')
    with pytest.raises(ValueError, match="not outcome or output"):
        read_labelled_set(path)
    path.write_text("text,label\nShip it,output\n")
    with pytest.raises(ValueError, match="columns"):
        read_labelled_set(path)


def test_labelled_set_is_large_balanced_and_varied() -> None:
    examples = read_labelled_set(DATA)
    outcomes = sum(e.label == "outcome" for e in examples)
    assert len(examples) >= 360
    assert 0.45 <= outcomes / len(examples) <= 0.55
    core = {
        "sales", "engineering", "hr", "finance", "public-sector", "non-profit", "health",
        "education", "logistics", "marketing", "customer-support", "manufacturing",
    }  # fmt: skip
    assert core <= {e.domain for e in examples}


def test_retraining_on_the_lexical_engine_in_process_learns_the_task() -> None:
    # A quick end-to-end check of the training path, without the static model.
    examples = read_labelled_set(DATA)
    strata = [f"{e.label}/{e.domain}" for e in examples]
    train, test = stratified_split(strata, 0.25, seed=5)
    engine = LexicalEngine(dim=256)
    X = build_matrix([e.text for e in examples], engine)
    y = np.array([e.label == "outcome" for e in examples], dtype=float)
    model = fit_logistic(X[train], y[train], 10.0)
    got = Metrics.of(y[test] == 1, model.proba(X[test]) >= 0.5)
    assert got.balanced_accuracy >= 0.85

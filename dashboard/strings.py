"""Every user-facing word of the dashboard pages (chart wording lives in engine.charts.strings)."""

from __future__ import annotations

APP_TITLE = "tiltpilot"
PAGE_HOME = "Start"
PAGE_DATA = "Upload data"
PAGE_TRAIN = "Train & compare"
PAGE_RESULTS = "Results"
PAGE_ROI = "ROI estimate"
PAGE_REPORT = "Report"
SECTION_START = "Start"
SECTION_DATA = "Data"
SECTION_TRAIN = "Train"
SECTION_EVIDENCE = "Evidence"
SECTION_BUSINESS = "Business"

# --- sidebar -------------------------------------------------------------------------------------
SIDEBAR_STORE = "Run store: {store}"
SIDEBAR_PICK = "Run to show"
SIDEBAR_PICK_HELP = "Pick the latest comparison of all runs, or one run. Every page uses this choice."
SIDEBAR_COMPARISON = "Latest comparison (all its runs)"
SIDEBAR_NO_RUNS = "No runs yet."

# --- home ----------------------------------------------------------------------------------------
HOME_INTRO = (
    "tiltpilot tells you, with evidence, whether fine-tuning a pretrained model links your two kinds of "
    "data (for example product titles and descriptions) well enough to be worth the investment.",
    "Upload pairs that belong together, start a comparison of training methods (losses), and the tool "
    "fine-tunes the model with each and measures how often it finds the right partner item, before and after.",
    "Every result comes with its uncertainty and a plain-language verdict, so you can tell a real "
    "improvement from noise.",
)
HOME_SAMPLE_BUTTON = "Load the sample catalogue and compare clip vs joint"
HOME_SAMPLE_HELP = "Stores the bundled product catalogue and starts a 1-epoch comparison of two losses in the background."
HOME_SAMPLE_STARTED = "Started job {job_id} on the sample catalogue ({rows} pairs). Follow it on the Train page."
HOME_GO_TRAIN = "Follow the job on Train & compare"
HOME_RUNS = "Past runs"
HOME_NO_RUNS = "No runs yet. Load the sample above, or upload your own pairs."
HOME_GO_DATA = "Upload your own pairs"
RUN_COLUMNS = {
    "run": "run",
    "state": "state",
    "loss": "loss",
    "tilt": "tilt",
    "r1_l2r": "Recall@1 left → right (base → tuned)",
    "r1_r2l": "Recall@1 right → left (base → tuned)",
}

# --- data ----------------------------------------------------------------------------------------
DATA_TITLE = "Upload pairs"
DATA_UPLOAD = "Pairs file"
DATA_UPLOAD_HELP = (
    "One row per pair: a left text (e.g. title) and a right text (e.g. description). "
    "Optional: a group column (items that belong together, kept on one side of the split) and a label column. "
    "CSV, TSV, JSONL, Parquet or Excel, up to {limit} MB."
)
DATA_PREVIEW = "Preview (first {n} rows, as read)"
DATA_MAPPING = "Which column is which"
DATA_MAPPING_HELP = {
    "left": "The text people search with, e.g. the product title.",
    "right": "The text to be found, e.g. the description.",
    "group": "Optional: rows with the same value are the same item and stay together in the test split.",
    "label": "Optional: a category, used for extra checks on labelled data.",
}
DATA_NONE = "(none)"
DATA_AUDIT = "Data check"
DATA_AUDIT_CLEAN = "No problems found."
DATA_FINDING = "{icon} {message}"
DATA_ADVICE = "What to do: {advice}"
DATA_EXAMPLE_ROWS = "Example rows: {rows}"
SEVERITY_ICONS = {"error": "⛔", "warning": "⚠️", "info": "ℹ️"}
DATA_SAVE = "Save dataset"
DATA_SAVE_HELP = "Keeps the file in the store for training. The same file is stored only once."
DATA_SAVED = "Saved {name}: {rows} pairs (id {digest})."
DATA_STORED = "Stored datasets"
DATA_NO_STORED = "No datasets stored yet."
DATA_GO_TRAIN = "Train on a stored dataset"
DATASET_COLUMNS = {"id": "id", "name": "name", "rows": "pairs", "size": "size (KB)", "columns": "columns", "stored": "stored"}

# --- train ---------------------------------------------------------------------------------------
TRAIN_TITLE = "Train & compare"
TRAIN_NO_DATA = "No stored dataset yet. Upload one on the Data page, or load the sample on Start."
TRAIN_DATASET = "Dataset"
TRAIN_DATASET_HELP = "A dataset stored on the Data page."
TRAIN_DATASET_LABEL = "{name} · {rows} pairs · {digest}"
TRAIN_LOSSES = "Losses to compare"
TRAIN_LOSSES_HELP = "Each loss is a different way to teach the model which items belong together. Pick two or more to compare them."
# Plain-language wording for managers; engine.losses.LOSSES holds the technical one-liners but
# importing it loads torch, which the dashboard process avoids.
LOSS_HELP = {
    "clip": "clip: learns both search directions equally (the standard choice).",
    "left-given-right": "left-given-right: learns to find the left item from the right one.",
    "right-given-left": "right-given-left: learns to find the right item from the left one.",
    "weighted": "weighted: both directions with your own weights (needs weights; not set here).",
    "joint": "joint: compares each true pair against all wrong pairs at once.",
}
TRAIN_TILTS = "Similarity measures (tilts)"
TRAIN_TILTS_HELP = "How the model scores two items: cosine (angle, the usual choice), dot (raw product) or l2 (distance)."
TRAIN_TEMPERATURE = "Temperature"
TRAIN_TEMPERATURE_HELP = (
    "How sharply the model separates right from wrong answers. 'Default' uses the standard value for the "
    "similarity measure; 'learn' lets training tune it."
)
TEMPERATURE_DEFAULT = "default"
TEMPERATURE_LEARN = "learn"
TRAIN_EPOCHS = "Epochs"
TRAIN_EPOCHS_HELP = "How many times training goes through the data. 1 is enough for a first look; more takes longer."
TRAIN_BATCH = "Batch size"
TRAIN_BATCH_HELP = "Pairs seen together in one training step; each pair is contrasted with the others in its batch."
TRAIN_SEED = "Seed"
TRAIN_SEED_HELP = "Fixes the randomness, so the same settings give the same result."
TRAIN_MAX_ROWS = "Use only the first N pairs (0 = all)"
TRAIN_MAX_ROWS_HELP = "A small slice gives a quick first answer."
TRAIN_START = "Start comparison"
TRAIN_STARTED = "Queued job {job_id}. It runs in the background; you can leave this page."
TRAIN_JOBS = "Jobs"
TRAIN_NO_JOBS = "No jobs yet."
JOB_HEADER = "{job_id} · {state} · {losses} × {tilts}"
JOB_PROGRESS = "{stage}: run {run} of {total}, epoch {epoch}/{epochs}, step {step}/{steps}, about {eta} left"
JOB_PROGRESS_SHORT = "{stage}: run {run} of {total}"
JOB_CANCEL = "Cancel"
JOB_CANCEL_PENDING = "Cancel requested; the job stops at its next training step."
JOB_DONE = "Finished: {n} runs."
JOB_CANCELLED = "Cancelled."
JOB_GO_RESULTS = "See the results"

# --- results -------------------------------------------------------------------------------------
RESULTS_TITLE = "Results"
RESULTS_SECTION = "Show"
RESULTS_EMPTY = "No finished runs in this store yet. Start a comparison on the Train page."
RESULTS_GO_TRAIN = "Start a comparison"
RESULTS_DETAIL = "Run shown in the detail sections"
RESULTS_DETAIL_HELP = "Similarity, calibration, map, low-rank, examples are drawn per run."
RESULTS_RUN_LABEL = "{loss} · {tilt} · {run_id}"
RESULTS_METRIC = "Metric"
RESULTS_DIRECTION = "Search direction"
TABS = ("Retrieval", "Similarity", "Calibration", "Latent map", "Low-rank", "Learning curve", "Examples", "Training")
VERDICTS = "Is the difference real?"
VERDICTS_FINE_TUNING = "Fine-tuning vs the base model ({run})"
VERDICTS_PAIRWISE = "Loss against loss (same test set)"
MISSING_PART = "This run has no stored {part} analysis (it may still be running, or analysis was switched off)."
METRIC_TILE = "{label} ({direction})"
METRIC_DELTA = "{delta:+.1%} vs base"
LATENT_STAGE = "Embeddings"
LATENT_STAGE_OPTIONS = {"tuned": "fine-tuned", "base": "base model"}
LATENT_HINT = "Hover a point to read its text; click it to see both sides of its pair below."
LATENT_PAIR = "Pair {pair}"
LATENT_LEFT = "Left: {text}"
LATENT_RIGHT = "Right: {text}"
LEARNED_VS_OPTIMAL = "Learned vs optimal (Gaussian fit)"
NO_LEARNING_CURVE = "No learning curve in this store. Create one with `tiltpilot learning-curve` from a terminal."
EXAMPLES_WINS = "Biggest improvements"
EXAMPLES_LOSSES = "Biggest setbacks"
EXAMPLE_COLUMNS = {
    "query": "query",
    "true": "true partner",
    "base_rank": "base rank",
    "tuned_rank": "tuned rank",
    "base_top5": "base top-5",
    "tuned_top5": "tuned top-5",
}
GLOSSARY_TITLE = "Glossary"
GLOSSARY_ENTRY = "{term}: {meaning}"

# --- business placeholders -----------------------------------------------------------------------
ROI_TITLE = "ROI estimate"
ROI_TEXT = (
    "Coming next: turn the measured retrieval gain into money: searches per month, the share that "
    "now find the right item, and the value of each found item, with the uncertainty carried through."
)
REPORT_TITLE = "Report"
REPORT_TEXT = (
    "Coming next: download the evidence as an HTML page, a PDF and a PowerPoint deck, with every chart, "
    "its takeaway and the verdicts, ready for a meeting."
)
GO_RESULTS = "Meanwhile, read the evidence on Results"

# --- errors --------------------------------------------------------------------------------------
STORE_UNREADABLE = "Could not read the run store: {error}"

"""Session-state keys of the dashboard, in one place so pages never disagree on a name.

Only plain values live in session state (``runner.enforceSerializableSessionState``): paths as
strings, ids, widget values. Everything durable (runs, datasets, jobs) is on disk in the store.
"""

from __future__ import annotations

STORE = "store_root"            # str: the run store folder (set once by app.py from --store / env)
SAMPLE = "sample_path"          # str: the bundled sample catalogue (--data)
MODEL = "model"                 # str | None: model name or folder for new jobs (--model / env)
RUN = "picked_run"              # str: sidebar run picker value (COMPARISON or a run id)
DETAIL_RUN = "detail_run"       # str: run shown in the per-run tabs of Results
UPLOAD = "upload_file"          # st.file_uploader key on the Data page
ROLE_PREFIX = "column_role_"    # + role: column-mapping selectboxes on the Data page
SAVE_DATASET = "save_dataset"   # button
LAST_SAVED = "last_saved"       # str: name of the dataset saved last (for the success note)
TRAIN_DATASET = "train_dataset"
TRAIN_LOSSES = "train_losses"
TRAIN_TILTS = "train_tilts"
TRAIN_TEMPERATURE = "train_temperature"
TRAIN_EPOCHS = "train_epochs"
TRAIN_BATCH = "train_batch_size"
TRAIN_SEED = "train_seed"
TRAIN_MAX_ROWS = "train_max_rows"
TRAIN_START = "train_start"
LAST_JOB = "last_job"           # str: id of the job submitted last in this session
LOAD_SAMPLE = "load_sample"     # button on Home
RESULT_METRIC = "result_metric"
RESULT_DIRECTION = "result_direction"
LATENT_STAGE = "latent_stage"
LATENT_SELECT = "latent_select"
CANCEL_PREFIX = "cancel_"       # + job id

COMPARISON = "__comparison__"   # RUN value meaning "the store's latest comparison"

RESULT_SECTION = "results.section"
LANGUAGE = "language"           # str: "en" or "ja", the sidebar language switch (every page reads it)

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
AUDIT_CANCEL = "audit_cancel"   # button: stop the background audit of the upload
AUDIT_RESTART = "audit_restart"  # button: run a cancelled or failed audit again
DOWNLOAD_PREVIEW = "download_preview"  # button: the preview rows as a formula-safe CSV
RESUME_PREFIX = "resume_"       # + run id: Train page button resuming an interrupted run
LAST_SAVED = "last_saved"       # str: name of the dataset saved last (for the success note)
TRAIN_DATASET = "train_dataset"
TRAIN_LOSSES = "train_losses"
TRAIN_TILTS = "train_tilts"
TRAIN_TEMPERATURE = "train_temperature"
TRAIN_EPOCHS = "train_epochs"
TRAIN_EARLY_STOPPING = "train_early_stopping"  # checkbox: choose the epochs on a validation slice (epochs = cap)
TRAIN_BATCH = "train_batch_size"
TRAIN_SEED = "train_seed"
TRAIN_MAX_ROWS = "train_max_rows"
TRAIN_GALLERY = "train_gallery"  # radio: "test" or "catalogue", what each test query is ranked against
TRAIN_START = "train_start"
TRAIN_MODEL = "train_model"     # selectbox: a packaged model's name or MODEL_FOLDER_CHOICE
TRAIN_MODEL_FOLDER = "train_model_folder"  # text input: a model folder on this machine
TRAIN_MODEL_FOR = "train_model_for"  # str: digest of the dataset the model was preselected for
LAST_JOB = "last_job"           # str: id of the job submitted last in this session
LOAD_SAMPLE = "load_sample"     # button on Home
LOAD_SAMPLE_JA = "load_sample_ja"  # button on Home: the Japanese sample catalogue
LOAD_PHOTO_PREFIX = "load_photos_"  # + PHOTO_SAMPLES name: buttons on Home, the photo samples
STORE_PHOTOS = "store_photos"   # button on the Data page: check and store an uploaded photo ZIP
RESULT_METRIC = "result_metric"
RESULT_DIRECTION = "result_direction"
RESULT_GALLERY = "result_gallery"  # radio: the gallery the Retrieval section's tiles and bars use
LATENT_STAGE = "latent_stage"
LATENT_SELECT = "latent_select"
CANCEL_PREFIX = "cancel_"       # + job id

COMPARISON = "__comparison__"   # RUN value meaning "the store's latest comparison"
MODEL_FOLDER_CHOICE = "__folder__"  # TRAIN_MODEL value meaning "a model folder on this machine"

RESULT_SECTION = "results.section"
LANGUAGE = "language"           # str: "en" or "ja", the sidebar language switch (every page reads it)

# Train page: the learning-curve job's settings, and a request waiting for "results exist: open them?"
CURVE_LOSS = "curve_loss"
CURVE_FRACTIONS = "curve_fractions"
CURVE_TARGET = "curve_target"
CURVE_SEEDS = "curve_seeds"
CURVE_START = "curve_start"
TRAIN_PENDING = "train_pending"  # dict: {"spec": the request, "job_id": the finished twin}
PENDING_OPEN = "pending_open"    # button
PENDING_START = "pending_start"  # button
PENDING_DROP = "pending_drop"    # button
RESULT_TECHNICAL = "results.technical"  # str: the Technical details sub-section picked on Results

# Export page: what to build, and the last built file (bytes kept for the download button)
EXPORT_SOURCE = "export_source"
EXPORT_LANGUAGE = "export_language"
EXPORT_FORMAT = "export_format"
EXPORT_SECTIONS = "export_sections"
EXPORT_BUILD = "export_build"
EXPORT_FILE = "export_file"      # dict: signature, name, mime, data (bytes), seconds
EXPORT_DOWNLOAD = "export_download"

# ROI page: which comparison the inputs belong to, the inputs and rule as last shown (plain dicts,
# kept because Streamlit forgets widget values while another page is open)
ROI_LOADED = "roi_loaded"        # str: comparison file + mtime whose inputs the widgets hold
ROI_ORIGIN = "roi_origin"        # str: "stored", a preset name, or "edited"
ROI_INPUTS = "roi_inputs"        # dict: RoiInputs.to_dict() of the widgets
ROI_RULE = "roi_rule"            # dict: DecisionRule.to_dict()
ROI_RULE_PREFIX = "roi_rule."    # + threshold name: the decision-rule widgets
ROI_PRESET_PREFIX = "roi_preset." # + preset name: buttons
ROI_FORM = "roi_form"
ROI_APPLY = "roi_apply"
ROI_SAVE = "roi_save"

"""Icons of pages, links and notices: emoji, never Streamlit's ``:material/...:`` names.

Streamlit fetches each Material icon from fonts.gstatic.com when the page draws it. On the
customer's offline network those icons break, and online the request tells a third party which
page was opened; emoji come from the viewer's own fonts.
"""

from __future__ import annotations

HOME = "🏠"
UPLOAD = "📤"
TRAIN = "🏋️"
RESULTS = "📊"
ROI = "💴"
REPORT = "📄"
DOWNLOAD = "⬇️"
ERROR = "⛔"
WARNING = "⚠️"
INFO = "ℹ️"
DONE = "✅"
PENDING = "⏳"
BLOCKED = "🚫"

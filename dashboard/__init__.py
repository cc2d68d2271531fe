"""Code the pages share. Layers: `data` and `charts` never import Streamlit; `ui` and `pages/` do."""

"""Custom actions of the Rasa assistant (rasa-sdk 3.6).

Run the action server from the repository root (it needs `persian_text`):

    PYTHONPATH=. .venv-bot/bin/python -m actions.server

Settings come from the environment (actions/settings.py): FEEDBACK_API_URL,
SERVICE_TOKEN, ACTION_SERVER_TOKEN (Rasa's calls must carry it),
ACTION_SERVER_HOST, ACTION_SERVER_PORT, ACTIONS_SPOOL_PATH, KNOWLEDGE_DIR,
API_TIMEOUT_SECONDS.

The action server imports every module of this package. Actions reach the
feedback service over HTTP only (docs/architecture.md); they never see a phone
number: Rasa's sender_id is the contact pseudonym.
"""

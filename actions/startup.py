"""Imported by the action server, which imports every module of the package.

Creating the services here starts the spool delivery thread with the process,
so cases spooled before a restart go out without waiting for a new message.
"""

from actions.runtime import services

services()

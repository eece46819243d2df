"""Every user's JupyterLab on the hub (install.sh puts it in the environment's etc/jupyter)."""

c = get_config()  # noqa: F821 (Jupyter provides get_config)

# A terminal runs bash as an ordinary interactive shell. JupyterLab would start a login shell when
# started by a hub, and Debian's /etc/profile would then put its own PATH back: without the shared
# environment's nbgrader, jupyter and hitpm commands that the hub's configuration put first.
c.ServerApp.terminado_settings = {"shell_command": ["/bin/bash"]}

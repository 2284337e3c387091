"""SFTP channel: a partner's or customer's SFTP folder, polled for new documents."""

"""The e-mail channel: IMAP mailboxes in, MIME messages read into canonical orders.

``mime`` reads one RFC 822 message (body and attachments), ``body`` reads an order
typed in free text, ``imap`` fetches messages from a mailbox and settles them, and
``ledger`` remembers which messages were read so that nothing is read twice or missed.
"""

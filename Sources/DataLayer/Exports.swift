// The durable file writer, bounded reader and locks live in DurableIO, shared with the CLI.
@_exported import DurableIO

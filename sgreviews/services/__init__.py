"""The domain layer: plain functions that own every query and write. They flush; the
request or job that called them commits once."""

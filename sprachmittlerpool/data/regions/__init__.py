"""Region files shipped for NRW districts, imported with `flask region import NAME`."""

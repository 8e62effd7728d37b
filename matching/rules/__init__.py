"""The rule sets the intake screen ships with, as data the Kommunales Integrationszentrum can read."""

"""`python -m campaign`."""

from campaign.cli import main

main()

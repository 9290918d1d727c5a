"""`python -m lgcrm_sf.cli`: the same as the `lgcrm-sf` console script."""

from . import main

main()

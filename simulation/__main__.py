import sys

from simulation.cli.main import main

sys.exit(main())

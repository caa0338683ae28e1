import sys

from pacer.cli.main import main

sys.exit(main())

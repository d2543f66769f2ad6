"""`python3 dev.py bench [PASS] [options]`: the default passes (bench/run.py), or one pass with its own options."""

import importlib
import sys

# Passes with options of their own: `python3 dev.py bench distributed --quick`.
OWN_PASSES = {"distributed": "bench.distributed", "many-apis": "bench.many_apis"}

if sys.argv[1:2] and sys.argv[1] in OWN_PASSES:
    importlib.import_module(OWN_PASSES[sys.argv[1]]).main(sys.argv[2:])
else:
    from bench.run import main

    main()

import sys

if sys.argv[1:2] == ["distributed"]:  # `python -m bench distributed ...`: bench/distributed.py
    from bench.distributed import main

    main(sys.argv[2:])
else:
    from bench.run import main

    main()

import sys

if "--many-apis" in sys.argv[1:]:  # its own pass, with its own options: bench/many_apis.py
    from bench.many_apis import main

    main([arg for arg in sys.argv[1:] if arg != "--many-apis"])
else:
    from bench.run import main

    main()

from neiqin.cli import main

raise SystemExit(main())

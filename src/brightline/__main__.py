from brightline.cli import main

main()

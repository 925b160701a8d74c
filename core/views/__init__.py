"""Page views of the kernel: sign-in, accounts, administration."""

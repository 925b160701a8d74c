"""Page views of the support desk: the customer portal, the engineer queue, attachment downloads."""

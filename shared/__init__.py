"""Code shared by Show Creator and the Visualizer: the show model and the wire protocol."""

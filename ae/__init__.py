"""A vanilla convolutional autoencoder on MNIST, and the tools to see why its latents can't be sampled."""

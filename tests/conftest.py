"""Shared fixtures: MNIST loaded once per test session."""
import pytest

from ae.data import load_mnist


@pytest.fixture(scope="session")
def mnist():
    return load_mnist()

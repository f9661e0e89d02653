"""Energy of a 2-D spring-mass network (cloth-like), minimized w.r.t. node positions.

Springs are a list of (i, j, rest_length) triples iterated in Python; gravity acts on every node;
one version vectorizes the same energy with fancy indexing.
"""
import numpy as np

AUTOGRAD = True


def spring_energy(pos, springs, k=10.0, mass=0.1, g=9.81):
    E = 0.0
    for i, j, L0 in springs:
        d = pos[i] - pos[j]
        L = np.linalg.norm(d)
        E += 0.5 * k * (L - L0) ** 2
    E += mass * g * np.sum(pos[:, 1])
    return E


def spring_energy_vectorized(pos, edges, rest, k=10.0):
    d = pos[edges[:, 0]] - pos[edges[:, 1]]
    L = np.sqrt(np.sum(d * d, axis=1))
    return 0.5 * k * np.sum((L - rest) ** 2)


def pendulum_lagrangian_action(thetas, dt=0.1, m=1.0, l=1.0, g=9.81):
    """Discrete action of a pendulum path: sum of kinetic minus potential energy."""
    S = 0.0
    for t in range(len(thetas) - 1):
        omega = (thetas[t + 1] - thetas[t]) / dt
        T = 0.5 * m * (l * omega) ** 2
        V = -m * g * l * np.cos(thetas[t])
        S = S + (T - V) * dt
    return S


def cases():
    rs = np.random.RandomState(31)
    grid = np.array([[x, y] for y in range(2) for x in range(3)], dtype=float)
    pos = grid + 0.1 * rs.randn(*grid.shape)
    springs = [(0, 1, 1.0), (1, 2, 1.0), (3, 4, 1.0), (4, 5, 1.0), (0, 3, 1.0), (1, 4, 1.0), (2, 5, 1.0),
               (0, 4, np.sqrt(2.0))]
    edges = np.array([(i, j) for i, j, _ in springs])
    rest = np.array([L0 for _, _, L0 in springs])
    return [(spring_energy, (pos, springs), 0), (spring_energy_vectorized, (pos, edges, rest), 0),
            (pendulum_lagrangian_action, (0.3 * rs.randn(8),), 0)]

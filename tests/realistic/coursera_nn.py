"""The regularized neural-network cost of the Coursera Machine Learning course (ex4), in a Python port.

nn_params is one unrolled vector reshaped into Theta1 and Theta2 (with bias columns); the bias
unit is prepended with np.hstack / np.concatenate of a column of ones; labels become a one-hot
matrix; regularization excludes the bias column (Theta[:, 1:]).
"""
import numpy as np

AUTOGRAD = False  # X.dot(theta) with theta traced: autograd arrays do not go through ndarray.dot


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_=0.0):
    Theta1 = np.reshape(nn_params[:hidden_layer_size * (input_layer_size + 1)],
                        (hidden_layer_size, (input_layer_size + 1)))
    Theta2 = np.reshape(nn_params[(hidden_layer_size * (input_layer_size + 1)):],
                        (num_labels, (hidden_layer_size + 1)))
    m = y.size
    a1 = np.concatenate([np.ones((m, 1)), X], axis=1)
    a2 = sigmoid(a1.dot(Theta1.T))
    a2 = np.concatenate([np.ones((a2.shape[0], 1)), a2], axis=1)
    a3 = sigmoid(a2.dot(Theta2.T))
    y_matrix = y.reshape(-1)
    y_matrix = np.eye(num_labels)[y_matrix]
    temp1 = Theta1
    temp2 = Theta2
    reg_term = (lambda_ / (2 * m)) * (np.sum(np.square(temp1[:, 1:])) + np.sum(np.square(temp2[:, 1:])))
    J = (-1 / m) * np.sum((np.log(a3) * y_matrix) + np.log(1 - a3) * (1 - y_matrix)) + reg_term
    return J


def lrCostFunction(theta, X, y, lambda_):
    """ex3: regularized logistic regression, bias term not regularized."""
    m = y.size
    if y.dtype == bool:
        y = y.astype(int)
    h = sigmoid(X.dot(theta))
    J = (1 / m) * np.sum(-y.dot(np.log(h)) - (1 - y).dot(np.log(1 - h)))
    J = J + (lambda_ / (2 * m)) * np.sum(np.square(theta[1:]))
    return J


def linearRegCostFunction(X, y, theta, lambda_=0.0):
    """ex5: regularized linear regression."""
    m = y.size
    h = X.dot(theta)
    J = (1 / (2 * m)) * np.sum(np.square(h - y)) + (lambda_ / (2 * m)) * np.sum(np.square(theta[1:]))
    return J


def cases():
    rs = np.random.RandomState(51)
    input_layer_size, hidden_layer_size, num_labels, m = 3, 4, 3, 6
    n_params = hidden_layer_size * (input_layer_size + 1) + num_labels * (hidden_layer_size + 1)
    nn_params = 0.5 * rs.randn(n_params)
    X = rs.randn(m, input_layer_size)
    y = rs.randint(num_labels, size=m)
    Xb = np.column_stack([np.ones(m), X])
    yb = rs.rand(m) > 0.5
    return [
        (nnCostFunction, (nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, 1.0), 0),
        (lrCostFunction, (0.3 * rs.randn(4), Xb, yb, 0.1), 0),
        (linearRegCostFunction, (Xb, rs.randn(m), 0.3 * rs.randn(4), 1.0), "theta"),
    ]

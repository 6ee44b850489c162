"""course_lib: the vectorized NumPy neural network behind "Neural Networks from Scratch".

One concept per module:
- the network: activations, losses, initializers, layers, network (Sequential), saving (save and
  load a network as .npz), optimizers,
  callbacks, metrics, gradcheck;
- the lessons' small experiments: perceptron, single_neuron, descent (on functions you can
  draw), loop_network (Nielsen's per-example loop);
- data: data (Fashion-MNIST and the toy sets), augment;
- experiments: recipes (lesson 07's models, recipes and sweeps), tuning, diagnostics, and cache
  (long results computed once and saved as JSON);
- around the notebooks: plotting, widgets, checks (the exercises' checkers), exercises (the
  student edition) and i18n (the 中文 edition).
The most used names are importable from here.
"""
from ._validation import CourseError
from .activations import (
    elu,
    elu_prime,
    identity,
    identity_prime,
    leaky_relu,
    leaky_relu_prime,
    log_softmax,
    relu,
    relu_prime,
    sigmoid,
    sigmoid_prime,
    softmax,
    softmax_jacobian,
    step,
    step_prime,
    tanh,
    tanh_prime,
)
from .callbacks import EarlyStopping, LearningRateSchedule
from .data import (
    CLASS_NAMES,
    load_fashion_mnist,
    make_house_prices,
    make_linearly_separable,
    make_moons,
    make_spirals,
    make_xor,
    normalize,
    one_hot,
    standardize,
    train_val_split,
)
from .gradcheck import check_layer, check_loss, check_network, numerical_gradient, rel_error
from .layers import (
    ELU,
    Activation,
    Dense,
    Dropout,
    Identity,
    LeakyReLU,
    Maxout,
    PReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Step,
    Tanh,
)
from .losses import (
    MSE,
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    Quadratic,
    binary_cross_entropy,
    cross_entropy,
    log_likelihood,
    mse,
    quadratic_cost,
)
from .metrics import accuracy, confusion_matrix, per_class_accuracy
from .network import Sequential, TrainingDiverged, load_model, mlp
from .optimizers import SGD, Adam, AdamW, Momentum

__version__ = "0.1.0"

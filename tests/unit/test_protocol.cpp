#include "est/protocol.hpp"

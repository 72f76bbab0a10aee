#include "est/client_replica.hpp"

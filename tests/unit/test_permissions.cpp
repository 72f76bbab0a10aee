#include "est/permissions.hpp"

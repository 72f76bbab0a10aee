#include "est/meeting_document.hpp"
